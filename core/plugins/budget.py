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
import time
from dataclasses import dataclass, replace

logger = logging.getLogger("anneal.plugins")

DEFAULT_BUDGET_MS = 250.0
_SHARED_PREFIX = "anneal:slow-hook"
_SHARED_TTL = 7 * 24 * 3600


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


_lock = threading.Lock()
_local: dict[tuple[str, str], SlowHook] = {}


#: A slow plugin would log a line per request; after the first, one line a minute per plugin and hook.
LOG_INTERVAL_SECONDS = 60.0
_logged_at: dict[tuple[str, str], float] = {}


def record_over_budget(plugin: str, hook: str, duration_ms: float) -> None:
    """Log, and count in this process and in the shared cache, one call over the budget."""
    now = time.time()
    with _lock:
        previous = _local.get((plugin, hook))
        if previous is None:
            current = SlowHook(plugin, hook, 1, duration_ms, now)
        else:
            current = replace(
                previous, count=previous.count + 1, slowest_ms=max(previous.slowest_ms, duration_ms), last_at=now
            )
        _local[(plugin, hook)] = current
        log = now - _logged_at.get((plugin, hook), float("-inf")) >= LOG_INTERVAL_SECONDS
        if log:
            _logged_at[(plugin, hook)] = now
    if log:
        logger.warning(
            "Plugin %s took %.0f ms in hook %s, over the %.0f ms budget (ANNEAL_HOOK_BUDGET_MS); "
            "it holds every request that calls this hook (%d slow calls in this process so far).",
            plugin, duration_ms, hook, _budget_ms, current.count,
        )
    _record_shared(plugin, hook, duration_ms, now)


def _key(plugin: str, hook: str, field: str) -> str:
    return f"{_SHARED_PREFIX}:{plugin}:{hook}:{field}"


def _record_shared(plugin: str, hook: str, duration_ms: float, now: float) -> None:
    try:
        from django.core.cache import cache

        count_key = _key(plugin, hook, "count")
        cache.add(count_key, 0, _SHARED_TTL)
        cache.incr(count_key)
        slowest = cache.get(_key(plugin, hook, "slowest"))
        if slowest is None or duration_ms > slowest:
            cache.set(_key(plugin, hook, "slowest"), duration_ms, _SHARED_TTL)
        cache.set(_key(plugin, hook, "last"), now, _SHARED_TTL)
    except Exception:  # the record is diagnostics: it must never fail the call it measured
        logger.debug("Could not record a slow hook call in the cache", exc_info=True)


def in_this_process() -> list[SlowHook]:
    with _lock:
        return sorted(_local.values(), key=lambda s: (-s.count, s.plugin, s.hook))


def shared(plugins: list[str], hooks: list[str]) -> list[SlowHook]:
    """Slow calls of these plugins and hooks counted by every process sharing the cache.

    Falls back to this process's record when the cache cannot be read.
    """
    try:
        from django.core.cache import cache

        keys = [_key(p, h, f) for p in plugins for h in hooks for f in ("count", "slowest", "last")]
        values = cache.get_many(keys)
    except Exception:
        logger.debug("Could not read slow hook calls from the cache", exc_info=True)
        return in_this_process()
    found = {(s.plugin, s.hook): s for s in in_this_process()}
    for plugin in plugins:
        for hook in hooks:
            count = values.get(_key(plugin, hook, "count"))
            if count:
                mine = found.get((plugin, hook))
                found[(plugin, hook)] = SlowHook(
                    plugin, hook, max(int(count), mine.count if mine else 0),
                    max(float(values.get(_key(plugin, hook, "slowest")) or 0.0), mine.slowest_ms if mine else 0.0),
                    float(values.get(_key(plugin, hook, "last")) or (mine.last_at if mine else 0.0)),
                )
    return sorted(found.values(), key=lambda s: (-s.count, s.plugin, s.hook))


def forget(plugin: str | None = None) -> None:
    """Clear the record of ``plugin`` (or of every plugin) in this process and the cache."""
    with _lock:
        pairs = [pair for pair in _local if plugin is None or pair[0] == plugin]
        for pair in pairs:
            del _local[pair]
            _logged_at.pop(pair, None)
    try:
        from django.core.cache import cache

        cache.delete_many([_key(p, h, f) for p, h in pairs for f in ("count", "slowest", "last")])
    except Exception:
        logger.debug("Could not clear slow hook calls in the cache", exc_info=True)


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
