"""Entitlements: ``features.has(name, organization=...)``.

A chain of ``anneal_feature_enabled`` implementations answers yes, no or no opinion; the
feature's registered default applies when nobody answers.

Answers are cached in the process, per feature and organization id, so a check on the hot
path is a dictionary lookup. The cache is emptied when the plugin set changes, when a plugin
calls :func:`invalidate` (the licensing package does when the license in force changes), and
when the lifetime the plugins declared through ``anneal_feature_answers_valid_for`` ends
(for a license: the next license version check, or the start or end of its validity window).
A plugin that answers ``anneal_feature_enabled`` without declaring a lifetime keeps the old
behaviour: its answers are cached for the duration of a request only (see
:class:`core.middleware.RequestContextMiddleware`).
"""

from __future__ import annotations

import contextlib
import math
import time
from contextvars import ContextVar
from typing import Any, Iterator

from core.plugins import hooks, manager
from core.plugins.calling import call_each, implementing_plugins
from core.plugins.types import Feature

Key = tuple[str, "int | None"]

_request_cache: ContextVar[dict[Key, bool] | None] = ContextVar("anneal_feature_cache", default=None)
_registry: dict[str, Any] = {"generation": -1, "features": {}}

# The process cache. ``_answers`` is replaced (never cleared in place) on invalidation, so a
# thread that computed an answer against the old state writes it into a discarded dict.
_answers: dict[Key, bool] = {}
_valid: list[Any] = [-1, float("-inf")]  # [plugin generation, monotonic deadline]
_uncached_generation = [-1]  # a plugin set whose answers are never cached in the process


def registered() -> dict[str, Feature]:
    """Every feature that a plugin or the core declared, by name."""
    if _registry["generation"] != manager.generation():
        _registry["features"] = {feature.name: feature for _, feature in hooks.features()}
        _registry["generation"] = manager.generation()
    return _registry["features"]


def _decide(name: str, organization: Any) -> bool:
    answer = hooks.feature_enabled(name, organization)
    if answer is not None:
        return bool(answer)
    feature = registered().get(name)
    return feature.default if feature else False


def answers_lifetime() -> float:
    """Seconds for which the current answers may be cached in the process (0: not at all).

    The smallest lifetime declared by the plugins that answer ``anneal_feature_enabled``;
    unbounded when no plugin answers (the registered defaults only change with the plugin set);
    zero when one of them declares none, or its declaration fails.
    """
    deciders = implementing_plugins("anneal_feature_enabled")
    if not deciders:
        return math.inf
    if not deciders <= implementing_plugins("anneal_feature_answers_valid_for"):
        return 0.0
    declared: dict[str, float] = {}
    for contribution in call_each("anneal_feature_answers_valid_for"):
        result = contribution.result
        if contribution.error is None and isinstance(result, (int, float)) and not isinstance(result, bool):
            declared[contribution.plugin] = min(declared.get(contribution.plugin, math.inf), float(result))
    lifetimes = [declared.get(plugin, 0.0) for plugin in deciders]
    return max(0.0, min(lifetimes))


def _refill() -> dict[Key, bool] | None:
    """Start a new process cache; ``None`` when the answers may not be cached across requests."""
    global _answers
    generation = manager.generation()
    lifetime = answers_lifetime()  # may call invalidate() (a plugin noticing a change)
    _answers = {}
    if lifetime <= 0:
        _valid[:] = [generation, float("-inf")]
        if not implementing_plugins("anneal_feature_enabled") <= implementing_plugins(
                "anneal_feature_answers_valid_for"):
            _uncached_generation[0] = generation
        return None
    _valid[:] = [generation, time.monotonic() + lifetime]
    return _answers


def has(name: str, organization: Any = None, *, _now: Any = time.monotonic,
        _plugins: dict[str, Any] = manager._state) -> bool:
    """Is feature ``name`` enabled for ``organization`` (or the instance, when ``None``)?"""
    key = (name, None if organization is None else organization.pk)
    answers = _answers
    if _valid[1] > _now() and _valid[0] == _plugins["generation"]:  # the hot path: keep it this short
        try:
            return answers[key]
        except KeyError:
            pass
    elif _uncached_generation[0] == manager.generation():
        return _request_cached(key, name, organization)
    else:
        refilled = _refill()
        if refilled is None:
            return _request_cached(key, name, organization)
        answers = refilled
    answer = answers[key] = _decide(name, organization)
    return answer


def _request_cached(key: Key, name: str, organization: Any) -> bool:
    cache = _request_cache.get()
    if cache is None:
        return _decide(name, organization)
    if key not in cache:
        cache[key] = _decide(name, organization)
    return cache[key]


def invalidate() -> None:
    """Forget every cached answer: call it when what your ``anneal_feature_enabled`` answers changed."""
    global _answers
    _valid[1] = float("-inf")
    _answers = {}
    token_cache = _request_cache.get()
    if token_cache is not None:
        token_cache.clear()


@contextlib.contextmanager
def request_cache() -> Iterator[None]:
    """Cache feature answers within the block; the request middleware opens one per request."""
    token = _request_cache.set({})
    try:
        yield
    finally:
        _request_cache.reset(token)
