"""How the core calls hooks: isolated per plugin, or propagating, always traceable.

``ANNEAL_TRACE_HOOKS=1`` logs every hook call with its duration to the ``anneal.hooks`` logger.
Each implementation of a propagating hook is timed; one over ``ANNEAL_HOOK_BUDGET_MS`` is
logged and counted by ``core.plugins.budget``.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from core.plugins import budget, failures
from core.plugins.manager import plugin_manager, plugin_name_of

logger = logging.getLogger("anneal.plugins")
trace_logger = logging.getLogger("anneal.hooks")

_TRACE = os.environ.get("ANNEAL_TRACE_HOOKS", "").lower() in {"1", "true", "yes"}


def tracing_enabled() -> bool:
    return _TRACE


def set_tracing(enabled: bool) -> None:
    global _TRACE
    _TRACE = enabled


@dataclass(frozen=True)
class Contribution:
    """One plugin's answer to an isolated hook call: its result, or the error it raised."""

    plugin: str
    result: Any = None
    error: BaseException | None = None


def _impls(name: str) -> list[Any]:
    # pluggy calls the most recently registered implementation first; keep that order.
    return list(reversed(getattr(plugin_manager.hook, name).get_hookimpls()))


def has_implementations(name: str) -> bool:
    return bool(getattr(plugin_manager.hook, name).get_hookimpls())


def call_each(name: str, /, *, skip: frozenset[str] = frozenset(), **kwargs: Any) -> list[Contribution]:
    """Call every implementation of ``name`` on its own; a failure is logged, counted and returned.

    The count (``core.plugins.failures``) is what shows the plugin as degraded. Plugins named in
    ``skip`` (those off for the organization concerned) are not called.
    """
    contributions = []
    for impl in _impls(name):
        plugin = plugin_name_of(impl.plugin_name)
        if plugin in skip:
            continue
        arguments = {arg: kwargs[arg] for arg in impl.argnames}
        started = time.perf_counter() if _TRACE else 0.0
        try:
            result = impl.function(**arguments)
        except Exception as exc:
            logger.exception("Plugin %s failed in hook %s", plugin, name)
            failures.record_failure(plugin, name, exc)
            contributions.append(Contribution(plugin, error=exc))
        else:
            if result is not None:
                contributions.append(Contribution(plugin, result=result))
        if _TRACE:
            trace_logger.info(
                "hook %s plugin=%s duration_ms=%.3f",
                name, plugin, (time.perf_counter() - started) * 1000,
            )
    return contributions


def call_propagating(name: str, /, *, skip: frozenset[str] = frozenset(), **kwargs: Any) -> Any:
    """Call every implementation of ``name`` as pluggy would; exceptions reach the caller so it fails closed.

    Each implementation is timed: one that takes longer than the budget is recorded
    (``core.plugins.budget``), with its plugin's name, and its result still counts. Plugins named
    in ``skip`` are not called.
    """
    caller = getattr(plugin_manager.hook, name)
    impls = caller.get_hookimpls()
    # pluggy keeps wrappers last, so they come first in call order (the reversed list).
    if impls and (impls[-1].wrapper or impls[-1].hookwrapper):
        return _call_wrapped(name, caller, kwargs)
    firstresult = caller.spec.opts["firstresult"] if caller.spec else False
    limit = budget.limit_seconds
    clock = time.perf_counter
    results = []
    for impl in reversed(impls):
        if skip and plugin_name_of(impl.plugin_name) in skip:
            continue
        args = [kwargs[arg] for arg in impl.argnames]
        started = clock()
        try:
            if impl.kwargnames:
                result = impl.function(*args, **{arg: kwargs[arg] for arg in impl.kwargnames if arg in kwargs})
            else:
                result = impl.function(*args)
        finally:
            elapsed = clock() - started
            if elapsed > limit or _TRACE:
                _report(name, impl, elapsed * 1000, elapsed > limit)
        if result is not None:
            results.append(result)
            if firstresult:
                break
    if firstresult:
        return results[0] if results else None
    return results


def _report(name: str, impl: Any, elapsed_ms: float, over_budget: bool) -> None:
    plugin = plugin_name_of(impl.plugin_name)
    if over_budget:
        budget.record_over_budget(plugin, name, elapsed_ms)
    if _TRACE:
        trace_logger.info("hook %s plugin=%s duration_ms=%.3f", name, plugin, elapsed_ms)


def _call_wrapped(name: str, caller: Any, kwargs: dict[str, Any]) -> Any:
    """A hook with a wrapper implementation: pluggy calls it, timed as a whole."""
    started = time.perf_counter()
    try:
        return caller(**kwargs)
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms > budget.budget_ms():
            budget.record_over_budget("(wrapped call)", name, elapsed_ms)
        if _TRACE:
            trace_logger.info("hook %s duration_ms=%.3f", name, elapsed_ms)


def collect(name: str, /, *, skip: frozenset[str] = frozenset(), **kwargs: Any) -> list[tuple[str, Any]]:
    """Flatten list-returning isolated hooks into ``(plugin, item)`` pairs."""
    items = []
    for contribution in call_each(name, skip=skip, **kwargs):
        if contribution.error is None:
            result = contribution.result
            if isinstance(result, dict):
                items.extend((contribution.plugin, pair) for pair in result.items())
            else:
                items.extend((contribution.plugin, item) for item in result)
    return items


def implementing_plugins(name: str) -> set[str]:
    """The names of the plugins that implement hook ``name``."""
    return {plugin_name_of(impl.plugin_name) for impl in getattr(plugin_manager.hook, name).get_hookimpls()}
