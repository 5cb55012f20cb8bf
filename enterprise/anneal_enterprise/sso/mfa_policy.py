"""The enterprise MFA policy of an organization: phishing-resistant factors only, allowed authenticators.

Both apply to the organization's members while the organization is licensed for SSO (the
enterprise identity features). "Phishing-resistant only" is a rule through the core's
``anneal_mfa_requirements``: members must have and sign in with a passkey or security key; an
authenticator app or a recovery code is not accepted. The AAGUID allowlist is checked through
``anneal_passkey_registration`` when a member registers a passkey.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from anneal_enterprise import entitlements
from anneal_enterprise.sso.models import MfaPolicy
from core.events import Target, emit
from core.events.diff import snapshot
from core.models import Membership, MfaRequirement, Organization
from core.plugins import FactorRequirement, Refusal
from core.services.errors import ServiceError

PHISHING_RESISTANT = frozenset({"passkey"})
FIELDS = ["phishing_resistant_only", "allowed_aaguids"]
DEFAULT_GRACE_DAYS = 7


def _policies(user: Any) -> list[tuple[MfaPolicy, Membership]]:
    memberships = Membership.objects.filter(user=user).select_related("organization")
    by_org = {m.organization_id: m for m in memberships}
    if not by_org:
        return []
    policies = MfaPolicy.objects.filter(organization_id__in=by_org).select_related("organization")
    return [(p, by_org[p.organization_id]) for p in policies
            if entitlements.is_enabled(entitlements.SSO, p.organization)]


def requirements(user: Any) -> list[FactorRequirement]:
    rules = []
    for policy, membership in _policies(user):
        if not policy.phishing_resistant_only:
            continue
        core = MfaRequirement.objects.filter(organization=policy.organization).first()
        grace = timedelta(days=core.grace_days if core else DEFAULT_GRACE_DAYS)
        start = max(policy.enabled_at or membership.created_at, membership.created_at)
        rules.append(FactorRequirement(
            f"organization:{policy.organization.slug}:phishing-resistant",
            f"{policy.organization.name} accepts only passkeys and security keys as the second factor.",
            deadline=start + grace, factor_types=PHISHING_RESISTANT))
    return rules


def normalise_aaguids(values: list[str]) -> list[str]:
    import uuid

    clean = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            clean.append(str(uuid.UUID(value)))
        except ValueError:
            raise ServiceError(f"{value!r} is not an AAGUID (a UUID such as cb69481e-8ff7-4039-93ec-0a2729a154a8).",
                               field="allowed_aaguids") from None
    return sorted(set(clean))


def passkey_refusal(user: Any, aaguid: str) -> Refusal | None:
    for policy, _ in _policies(user):
        if policy.allowed_aaguids and aaguid not in policy.allowed_aaguids:
            return Refusal(f"{policy.organization.name} allows only the security key models it lists; this "
                           f"authenticator (AAGUID {aaguid}) is not one of them. Use one of your organization's "
                           "keys, or ask its owners.", code="authenticator_not_allowed")
    return None


def policy_of(organization: Organization) -> MfaPolicy:
    return MfaPolicy.objects.filter(organization=organization).first() or MfaPolicy(organization=organization)


def update(organization: Organization, by: Any, phishing_resistant_only: bool, allowed_aaguids: list[str]) -> MfaPolicy:
    from core.mfa import passkeys

    if not entitlements.is_enabled(entitlements.SSO, organization):
        raise ServiceError("MFA policies need an enterprise license with SSO for this organization.",
                           code="feature_unavailable")
    policy = policy_of(organization)
    aaguids = normalise_aaguids(allowed_aaguids)
    if phishing_resistant_only and not passkeys.is_enrolled(by):
        raise ServiceError("Add a passkey or security key for yourself first: you would not meet the policy you are "
                           "switching on.", code="owner_without_factor", field="phishing_resistant_only")
    if aaguids and not any(p.aaguid in aaguids for p in by.passkeys.all()) and phishing_resistant_only:
        raise ServiceError("None of your own passkeys is of an allowed model: you would lock yourself out.",
                           code="owner_without_factor", field="allowed_aaguids")
    before = snapshot(policy, FIELDS) if policy.pk else None
    if phishing_resistant_only and not policy.phishing_resistant_only:
        policy.enabled_at = timezone.now()
    policy.phishing_resistant_only, policy.allowed_aaguids = phishing_resistant_only, aaguids
    with transaction.atomic():
        policy.save()
        after = snapshot(policy, FIELDS)
        if before != after:
            emit("mfa.requirement_changed", organization=organization,
                 target=Target("organization", str(organization.pk), organization.name), before=before, after=after,
                 data={"policy": "enterprise"})
    return policy
