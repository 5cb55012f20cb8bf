"""What owners and instance staff do about other people's MFA: require it, see it, reset it."""

from __future__ import annotations

from collections.abc import Iterable

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core import product
from core.events import emit
from core.events.diff import snapshot
from core.links import absolute_reverse
from core.mfa import enforcement, events, factors, recovery
from core.models import Membership, MfaRequirement, Organization, Passkey, TotpAuthenticator, User
from core.roles import Role
from core.services.errors import ServiceError
from core.services.users import user_target
from core.tasks import send_email

REQUIREMENT_FIELDS = ["required", "grace_days"]
OWN_FACTOR_FIRST = ("Set up a second factor for yourself first: you would not meet the requirement you are "
                    "switching on. Go to Profile → Second factors (MFA).")


def requirement_of(organization: Organization) -> MfaRequirement:
    return MfaRequirement.objects.filter(organization=organization).first() or MfaRequirement(
        organization=organization)


def set_requirement(organization: Organization, by: User, required: bool, grace_days: int) -> MfaRequirement:
    """Switch the organization's requirement on or off; the owner switching it on must meet it."""
    requirement = requirement_of(organization)
    if required and not factors.has_second_factor(by):
        raise ServiceError(OWN_FACTOR_FIRST, code="owner_without_factor", field="required")
    if grace_days < 0:
        raise ServiceError("The grace period cannot be negative.", field="grace_days")
    before = snapshot(requirement, REQUIREMENT_FIELDS) if requirement.pk else None
    if required and not requirement.required:
        requirement.enabled_at = timezone.now()
    requirement.required, requirement.grace_days, requirement.changed_by = required, grace_days, by
    with transaction.atomic():
        requirement.save()
        after = snapshot(requirement, REQUIREMENT_FIELDS)
        if before != after:
            emit("mfa.requirement_changed", organization=organization,
                 target=events.organization_target(organization), before=before, after=after)
    return requirement


@dataclass(frozen=True)
class MemberStatus:
    membership: Membership
    factor_types: list[str]
    deadline: datetime | None

    @property
    def enrolled(self) -> bool:
        return bool(self.factor_types)


def member_statuses(organization: Organization, memberships: Iterable[Membership]) -> list[MemberStatus]:
    """Each of ``memberships`` (a page of ``organization``'s) with the factors they set up (labels),
    for the owners' overview."""
    requirement = requirement_of(organization)
    memberships = list(memberships)
    users = [m.user_id for m in memberships]
    with_totp = set(TotpAuthenticator.objects.filter(user__in=users, confirmed_at__isnull=False)
                    .values_list("user_id", flat=True))
    with_passkey = set(Passkey.objects.filter(user__in=users).values_list("user_id", flat=True))
    other = [t for t in factors.types() if t.id not in {"totp", "passkey", "recovery_code"} and not t.backup]
    statuses = []
    for membership in memberships:
        labels = (["Authenticator app"] if membership.user_id in with_totp else []) + (
            ["Passkey"] if membership.user_id in with_passkey else []) + [
            t.label for t in other if t.is_enrolled(membership.user)]
        deadline = (enforcement.organization_deadline(requirement, membership.created_at)
                    if requirement.required else None)
        statuses.append(MemberStatus(membership, labels, deadline))
    return statuses


def _notify(user: User, by: User, where: str) -> None:
    name = product.current().name
    subject = f"Your second factors on {name} were reset"
    body = (f"{by.display_name} ({where}) removed all second factors of your {name} account {user.email}: "
            "authenticator app, passkeys and recovery codes.\n\n"
            f"Set up a new second factor at your next sign-in: {absolute_reverse('web:security')}\n\n"
            "If you did not ask for this, tell them or your administrator at once.")
    transaction.on_commit(lambda: send_email.delay(subject, body, [user.email]), robust=True)


def reset_factors(user: User, by: User, reason: str, organization: Organization | None = None) -> int:
    """Remove every second factor of ``user`` (audited; ``user`` is told by email). Returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give a reason; it is recorded in the audit log.", field="reason")
    if user.pk == by.pk:
        raise ServiceError("Remove your own factors on your security page instead.", code="own_account")
    with transaction.atomic():
        removed = TotpAuthenticator.objects.filter(user=user).delete()[0]
        removed += Passkey.objects.filter(user=user).delete()[0]
        removed += recovery.delete_all(user)
        emit("mfa.factors_reset", organization=organization, target=user_target(user),
             data={"reason": reason[:500], "removed": removed, "by_role": "owner" if organization else "staff"})
        _notify(user, by, f"an owner of {organization.name}" if organization else "an administrator of this instance")
    return removed


def can_reset_member(by: User, organization: Organization, member: User) -> bool:
    """Owners reset members of their organization, but not other owners (one owner cannot lock out another)."""
    roles = dict(Membership.objects.filter(organization=organization, user__in=[by, member])
                 .values_list("user_id", "role"))
    return roles.get(by.pk) == Role.OWNER.value and member.pk in roles and roles[member.pk] != Role.OWNER.value


