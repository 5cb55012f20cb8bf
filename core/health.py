"""Running health checks contributed through ``anneal_health_checks``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.plugins import hooks
from core.plugins.types import HealthCheckResult

logger = logging.getLogger("anneal.health")


@dataclass(frozen=True)
class CheckOutcome:
    id: str
    plugin: str
    description: str
    critical: bool
    ok: bool
    message: str
    hint: str


def run_checks(critical_only: bool = False) -> list[CheckOutcome]:
    outcomes = []
    for plugin, check in hooks.health_checks():
        if critical_only and not check.critical:
            continue
        try:
            result = check.check()
        except Exception as exc:  # a broken check is a failed check, never a crashed page
            logger.exception("Health check %s raised", check.id)
            result = HealthCheckResult(False, f"{type(exc).__name__}: {exc}")
        outcomes.append(
            CheckOutcome(check.id, plugin, check.description, check.critical, result.ok, result.message, result.hint)
        )
    return outcomes
