"""Who must use a second factor, and whether they do: the enforcement decision.

The rules come from ``anneal_mfa_requirements`` (the core answers for organizations and for
instance staff; plugins add their own). A rule whose deadline passed is *in force*: its person
must have, and sign in with, a factor that every rule in force accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core import product
from core.mfa import factors
from core.models import Membership, MfaRequirement, User
from core.plugins import FactorRequirement, SecondFactorType, hooks


@dataclass(frozen=True)
class Decision:
    in_force: list[FactorRequirement]
    upcoming: list[FactorRequirement]

    @property
    def accepted(self) -> frozenset[str] | None:
        """Factor type ids that every rule in force accepts (``None``: any)."""
        accepted: frozenset[str] | None = None
        for rule in self.in_force:
            if rule.factor_types is not None:
                accepted = rule.factor_types if accepted is None else accepted & rule.factor_types
        return accepted

    def accepts(self, factor_type: str) -> bool:
        return self.accepted is None or factor_type in self.accepted

    def acceptable_types(self) -> list[SecondFactorType]:
        return [t for t in factors.types() if not t.backup and self.accepts(t.id)]

    def is_met_by(self, user: User, used_factor: str | None) -> bool:
        """Met when nothing is in force, or ``user`` has an accepted factor and signed in with one."""
        if not self.in_force:
            return True
        has_accepted = any(t.is_enrolled(user) for t in self.acceptable_types())
        if not has_accepted:
            return False
        return self.accepted is None or (used_factor is not None and used_factor in self.accepted)


def accepted_types(rule: FactorRequirement) -> list[SecondFactorType]:
    return [t for t in factors.types() if not t.backup and (rule.factor_types is None or t.id in rule.factor_types)]


def has_accepted_factor(rule: FactorRequirement, user: User) -> bool:
    """Whether ``user`` already set up a factor that ``rule`` accepts."""
    return any(t.is_enrolled(user) for t in accepted_types(rule))


def decide(user: User, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    rules = hooks.mfa_requirements(user)
    return Decision(in_force=[r for r in rules if r.deadline is None or r.deadline <= now],
                    upcoming=[r for r in rules if r.deadline is not None and r.deadline > now])


def organization_deadline(requirement: MfaRequirement, joined_at: datetime) -> datetime:
    start = max(requirement.enabled_at or joined_at, joined_at)
    return start + timedelta(days=requirement.grace_days)


def core_requirements(user: User) -> list[FactorRequirement]:
    """The core's rules: organizations that require MFA, and instance staff by setting."""
    rules = []
    memberships = Membership.objects.filter(user=user, organization__mfa_requirement__required=True).select_related(
        "organization__mfa_requirement")
    for membership in memberships:
        organization = membership.organization
        rules.append(FactorRequirement(
            f"organization:{organization.slug}", f"{organization.name} requires a second factor for its members.",
            deadline=organization_deadline(organization.mfa_requirement, membership.created_at)))
    if user.is_staff and settings.ANNEAL_MFA_REQUIRED_FOR_STAFF:
        rules.append(FactorRequirement("instance:staff", f"Staff of this {product.current().name} instance must use a second factor."))
    return rules
