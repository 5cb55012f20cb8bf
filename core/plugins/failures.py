"""The record of isolated hook calls that raised, and which plugins they make "degraded".

An isolated hook (navigation, template slots, health checks, committed events, ...) that raises
does not break the page or the change that called it: the core logs the error and goes on
without that plugin's contribution. So that an operator sees more than a missing menu entry,
``core.plugins.calling`` counts every such failure here, per plugin and hook, with the last
error and its time, in this process and in the shared cache. A plugin with a failure in the last
``DEGRADED_WINDOW_SECONDS`` shows as ``degraded`` in ``anneal plugins``, on the System page, in
``GET /api/v1/plugins/`` and in ``anneal doctor``; it keeps running.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from core.plugins.ledger import HookLedger, LedgerEntry
from core.plugins.manager import describe_error, records

#: A plugin whose last failure is older than this is no longer shown as degraded.
DEGRADED_WINDOW_SECONDS = 3600.0
_MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class HookFailure:
    """How often one plugin's implementation of one isolated hook raised, and its last error."""

    plugin: str
    hook: str
    count: int
    last_error: str
    last_at: float

    @property
    def occurred_at(self) -> datetime:
        return datetime.fromtimestamp(self.last_at, tz=timezone.utc)

    @property
    def recent(self) -> bool:
        return time.time() - self.last_at <= DEGRADED_WINDOW_SECONDS


def _latest(_old: str, new: str) -> str:
    return new


_ledger = HookLedger("anneal:failed-hook", merge=_latest)


def _failure(entry: LedgerEntry) -> HookFailure:
    return HookFailure(entry.plugin, entry.hook, entry.count, str(entry.detail), entry.last_at)


def record_failure(plugin: str, hook: str, exc: BaseException) -> None:
    """Count one failed call of ``hook`` by ``plugin`` (the caller has logged the traceback)."""
    text = describe_error(exc)
    _ledger.record(plugin, hook, text if len(text) <= _MAX_ERROR_LENGTH else text[: _MAX_ERROR_LENGTH - 1] + "…")


def isolated_hooks() -> list[str]:
    from core.plugins import hookspecs

    return sorted(
        name for name, function in vars(hookspecs).items()
        if name.startswith("anneal_") and getattr(function, "anneal_contract", None) is not None
        and function.anneal_contract.failure == "isolated"
    )


def in_this_process() -> list[HookFailure]:
    return [_failure(entry) for entry in _ledger.in_this_process()]


def overview(plugins: Iterable[str] | None = None) -> list[HookFailure]:
    """Every plugin's failed calls, from every process sharing the cache, most frequent first."""
    if plugins is None:
        plugins = [record.name for record in records()]
    return [_failure(entry) for entry in _ledger.shared(list(plugins), isolated_hooks())]


def by_plugin(failures: Iterable[HookFailure]) -> dict[str, list[HookFailure]]:
    grouped: dict[str, list[HookFailure]] = {}
    for failure in failures:
        grouped.setdefault(failure.plugin, []).append(failure)
    return grouped


def degraded(failures: Iterable[HookFailure]) -> set[str]:
    """The plugins with a failure inside the window."""
    return {failure.plugin for failure in failures if failure.recent}


def forget(plugin: str | None = None) -> None:
    """Clear the record of ``plugin`` (or of every plugin), for example once it was fixed."""
    _ledger.forget(plugin, isolated_hooks())
