"""What the enterprise features ask before they act.

``state(feature)`` is ``"enabled"`` while a license grants the feature, ``"read_only"`` after
a license that granted it has lapsed (existing data and configuration stay readable and
exportable, nothing new is configured), and ``"unavailable"`` when no license ever granted it.
"""

from __future__ import annotations

from typing import Any, Literal

from core import features

SSO = "sso"
AUDIT_LOG = "audit_log"
SUPPORT = "support"

State = Literal["enabled", "read_only", "unavailable"]


def is_enabled(feature: str, organization: Any = None) -> bool:
    return features.has(feature, organization)


def state(feature: str, organization: Any = None) -> State:
    if features.has(feature, organization):
        return "enabled"
    from anneal_enterprise.licensing.status import was_licensed

    return "read_only" if was_licensed(feature) else "unavailable"
