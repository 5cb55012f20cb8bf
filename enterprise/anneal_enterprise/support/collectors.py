"""The registry of bundle collectors (from ``anneal_diagnostics``) and running one safely.

A collector runs in its own thread with a time limit. One that raises or runs out of time
does not fail the bundle: its error becomes a line of ``warnings.txt``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connections

from core.plugins import DiagnosticCollector, hooks


@dataclass(frozen=True)
class RegisteredCollector:
    id: str
    plugin: str
    description: str
    default: bool
    collector: DiagnosticCollector


@dataclass(frozen=True)
class CollectorResult:
    id: str
    filename: str | None
    content: Any
    warning: str | None


def registry() -> dict[str, RegisteredCollector]:
    """Every collector by id, the core's first; a plugin reusing a taken id gets ``<plugin>.<id>``."""
    found: dict[str, RegisteredCollector] = {}
    contributed = sorted(hooks.diagnostics(), key=lambda pair: not pair[0].startswith("core."))
    for plugin, collector in contributed:
        key = collector.id if collector.id not in found else f"{plugin}.{collector.id}"
        found[key] = RegisteredCollector(key, plugin, collector.description, collector.default, collector)
    return found


def default_ids() -> list[str]:
    return [c.id for c in registry().values() if c.default]


def unknown_ids(ids: list[str]) -> list[str]:
    known = registry()
    return [i for i in ids if i not in known]


def run(entry: RegisteredCollector, timeout: float) -> CollectorResult:
    """Run one collector; never raises."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = entry.collector.collect()
        except BaseException as exc:  # reported in warnings.txt, never fatal
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, name=f"support-collector-{entry.id}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return CollectorResult(entry.id, None, None,
                               f"{entry.id} ({entry.plugin}): did not finish within {timeout:g} seconds; left out.")
    if "error" in outcome:
        exc = outcome["error"]
        return CollectorResult(entry.id, None, None,
                               f"{entry.id} ({entry.plugin}): failed with {type(exc).__name__}: {exc}")
    value = outcome.get("value")
    if isinstance(value, str):
        return CollectorResult(entry.id, f"{entry.id}.txt", value, None)
    try:
        json.dumps(value, default=str)
    except (TypeError, ValueError) as exc:
        return CollectorResult(entry.id, None, None,
                               f"{entry.id} ({entry.plugin}): returned data that is not JSON ({exc}); left out.")
    return CollectorResult(entry.id, f"{entry.id}.json", value, None)
