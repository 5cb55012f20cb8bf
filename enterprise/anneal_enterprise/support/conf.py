"""Support settings with their defaults; each can be set in Django settings or the environment."""

from __future__ import annotations

import os

from django.conf import settings


def _number(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def bundle_days() -> float:
    """How long a support bundle is kept before it is deleted."""
    return _number("ANNEAL_SUPPORT_BUNDLE_DAYS", 7)


def collector_timeout() -> float:
    """Seconds a collector may run before it is abandoned and reported in ``warnings.txt``."""
    return _number("ANNEAL_SUPPORT_COLLECTOR_TIMEOUT", 30)


def grant_hours_default() -> float:
    return _number("ANNEAL_SUPPORT_GRANT_HOURS", 8)


def grant_hours_max() -> float:
    """The longest a grant may last from now, on creation or extension."""
    return _number("ANNEAL_SUPPORT_GRANT_MAX_HOURS", 72)


def idle_minutes() -> float:
    """A support session ends after this many minutes without a request."""
    return _number("ANNEAL_SUPPORT_IDLE_MINUTES", 30)


def age_recipients() -> list[str]:
    """The vendor's age public keys that bundles are encrypted to by default."""
    value = getattr(settings, "ANNEAL_SUPPORT_AGE_RECIPIENTS", None)
    if value is None:
        value = os.environ.get("ANNEAL_SUPPORT_AGE_RECIPIENTS", "")
    if isinstance(value, str):
        value = value.replace("\n", ",").split(",")
    return [item.strip() for item in value if item and item.strip()]
