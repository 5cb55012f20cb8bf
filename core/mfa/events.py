"""The events MFA emits (through ``anneal_event``, so the audit log records each one)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.events import Target, emit
from core.events.context import actor_for_user
from core.models import User
from core.plugins import EventType
from core.services.users import user_target

EVENT_TYPES = [
    EventType("mfa.factor_added", "A user set up a second factor (authenticator app or passkey).",
              "authentication", "notice"),
    EventType("mfa.factor_removed", "A user removed one of their second factors.", "authentication", "notice"),
    EventType("mfa.recovery_codes_generated", "A user made a new set of recovery codes; older ones stop working.",
              "authentication", "notice"),
    EventType("mfa.recovery_code_used", "A user signed in or confirmed an action with a recovery code.",
              "authentication", "notice"),
    EventType("mfa.second_factor_verified", "A user confirmed a sign-in or a sensitive action with a second factor.",
              "authentication"),
    EventType("mfa.second_factor_failed", "A wrong or replayed second-factor answer was refused.",
              "authentication", "warning"),
    EventType("mfa.factors_reset", "An organization owner or instance staff removed all of a user's second factors.",
              "authentication", "warning"),
    EventType("mfa.requirement_changed", "An organization changed whether its members must use a second factor.",
              "organization", "notice"),
]


def emit_factor(type: str, user: User, factor: str, name: str, **data: Any) -> None:
    with transaction.atomic():
        emit(type, target=user_target(user), data={"factor": factor, "name": name, **data})


def second_factor_failed(user: User, factor: str, reason: str, purpose: str) -> None:
    with transaction.atomic():
        emit("mfa.second_factor_failed", target=user_target(user), actor=actor_for_user(user),
             data={"factor": factor, "reason": reason, "purpose": purpose})


def second_factor_verified(user: User, factor: str, purpose: str) -> None:
    with transaction.atomic():
        emit("mfa.second_factor_verified", target=user_target(user), actor=actor_for_user(user),
             data={"factor": factor, "purpose": purpose})


def organization_target(organization: Any) -> Target:
    return Target("organization", str(organization.pk), organization.name)
