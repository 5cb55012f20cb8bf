"""Entitlements: ``features.has(name, organization=...)``.

A chain of ``anneal_feature_enabled`` implementations answers yes, no or no opinion; the
feature's registered default applies when nobody answers. Answers are cached for the
duration of a request (see :class:`core.middleware.RequestContextMiddleware`).
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any, Iterator

from core.plugins import hooks, manager
from core.plugins.types import Feature

_request_cache: ContextVar[dict[tuple[str, int | None], bool] | None] = ContextVar(
    "anneal_feature_cache", default=None
)
_registry: dict[str, Any] = {"generation": -1, "features": {}}


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


def has(name: str, organization: Any = None) -> bool:
    """Is feature ``name`` enabled for ``organization`` (or the instance, when ``None``)?"""
    cache = _request_cache.get()
    if cache is None:
        return _decide(name, organization)
    key = (name, getattr(organization, "pk", None))
    if key not in cache:
        cache[key] = _decide(name, organization)
    return cache[key]


@contextlib.contextmanager
def request_cache() -> Iterator[None]:
    """Cache feature answers within the block; the request middleware opens one per request."""
    token = _request_cache.set({})
    try:
        yield
    finally:
        _request_cache.reset(token)
