"""The time budget of propagating hook calls, and the record of the calls that went over it.

A propagating hook (authentication and action policies, roles, feature checks, in-transaction
events) runs inside the request it decides, so a slow implementation slows every request.
``core.plugins.calling`` times each implementation; a call longer than
``ANNEAL_HOOK_BUDGET_MS`` (default 250) is logged as a warning naming the plugin and the hook,
and counted here: in this process, and in the shared cache so that the System page and
``anneal plugins`` in another process see it too (with Redis; the embedded default's cache is
per process).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

from core.plugins.ledger import HookLedger, LedgerEntry

logger = logging.getLogger("anneal.plugins")

DEFAULT_BUDGET_MS = 250.0


def _budget_from_environment() -> float:
    raw = os.environ.get("ANNEAL_HOOK_BUDGET_MS", "")
    try:
        return float(raw) if raw.strip() else DEFAULT_BUDGET_MS
    except ValueError:
        return DEFAULT_BUDGET_MS


_budget_ms = _budget_from_environment()
#: The budget in seconds, read by ``core.plugins.calling`` on every call.
limit_seconds = _budget_ms / 1000


def budget_ms() -> float:
    return _budget_ms


def set_budget_ms(value: float) -> None:
    global _budget_ms, limit_seconds
    _budget_ms = value
    limit_seconds = value / 1000


@dataclass(frozen=True)
class SlowHook:
    """How often one plugin's implementation of one hook went over the budget."""

    plugin: str
    hook: str
    count: int
    slowest_ms: float
    last_at: float


_ledger = HookLedger("anneal:slow-hook", merge=max)


def _slow(entry: LedgerEntry) -> SlowHook:
    return SlowHook(entry.plugin, entry.hook, entry.count, float(entry.detail), entry.last_at)


#: A slow plugin would log a line per request; after the first, one line a minute per plugin and hook.
LOG_INTERVAL_SECONDS = 60.0
_logged_at: dict[tuple[str, str], float] = {}
_log_lock = threading.Lock()


def record_over_budget(plugin: str, hook: str, duration_ms: float) -> None:
    """Log, and count in this process and in the shared cache, one call over the budget."""
    current = _ledger.record(plugin, hook, duration_ms)
    with _log_lock:
        log = current.last_at - _logged_at.get((plugin, hook), float("-inf")) >= LOG_INTERVAL_SECONDS
        if log:
            _logged_at[(plugin, hook)] = current.last_at
    if log:
        logger.warning(
            "Plugin %s took %.0f ms in hook %s, over the %.0f ms budget (ANNEAL_HOOK_BUDGET_MS); "
            "it holds every request that calls this hook (%d slow calls in this process so far).",
            plugin, duration_ms, hook, _budget_ms, current.count,
        )


def in_this_process() -> list[SlowHook]:
    return [_slow(entry) for entry in _ledger.in_this_process()]


def shared(plugins: list[str], hooks: list[str]) -> list[SlowHook]:
    """Slow calls of these plugins and hooks counted by every process sharing the cache.

    Falls back to this process's record when the cache cannot be read.
    """
    return [_slow(entry) for entry in _ledger.shared(plugins, hooks)]


def forget(plugin: str | None = None) -> None:
    """Clear the record of ``plugin`` (or of every plugin) in this process and the cache."""
    _ledger.forget(plugin, propagating_hooks())
    with _log_lock:
        for pair in [pair for pair in _logged_at if plugin is None or pair[0] == plugin]:
            del _logged_at[pair]


def propagating_hooks() -> list[str]:
    from core.plugins import hookspecs

    return sorted(
        name for name, function in vars(hookspecs).items()
        if name.startswith("anneal_") and getattr(function, "anneal_contract", None) is not None
        and function.anneal_contract.failure == "propagates"
    )


def overview() -> list[SlowHook]:
    """Every plugin's calls over the budget, from every process sharing the cache."""
    from core.plugins.manager import records

    return shared([record.name for record in records()], propagating_hooks())
