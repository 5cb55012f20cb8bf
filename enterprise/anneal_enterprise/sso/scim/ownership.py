"""Which accounts an organization's SCIM may change, and which changes it may never make.

An organization's SCIM **manages** an account (may change its email, name and whether the account
itself is active) when the account is not instance staff, belongs to no other organization, and
either SCIM created it or its email is in a domain the organization has verified. For every other
member SCIM manages only the membership. The last active owner is never deactivated, demoted or
removed through SCIM. docs/enterprise/sso.md states the rules; enterprise/tests/sso/test_scim_ownership.py
proves them.
"""

from __future__ import annotations

from anneal_enterprise.sso.models import ScimUser, VerifiedDomain
from anneal_enterprise.sso.scim.errors import ScimError
from core.models import Membership, Organization, User
from core.roles import Role


def is_staff(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser)


def in_verified_domain(organization: Organization, email: str) -> bool:
    domain = email.strip().lower().rpartition("@")[2]
    return bool(domain) and VerifiedDomain.objects.verified().filter(organization=organization, domain=domain).exists()


def belongs_elsewhere(organization: Organization, user: User) -> bool:
    return Membership.objects.filter(user=user).exclude(organization=organization).exists()


def unmanaged_reason(organization: Organization, user: User, scim: ScimUser | None) -> str | None:
    """Why this organization's SCIM may not change the account itself; ``None`` when it manages it."""
    if is_staff(user):
        return f"{user.email} is an instance staff account, which an organization's SCIM never changes."
    if belongs_elsewhere(organization, user):
        return f"{user.email} also belongs to another organization, so this organization's SCIM manages only its membership."
    if (scim is not None and scim.created_account) or in_verified_domain(organization, user.email):
        return None
    return (f"{user.email} was not created by this organization's SCIM and its domain is not verified by the "
            "organization, so SCIM manages only its membership. Verify the domain under Settings → SSO to manage it.")


def manages(organization: Organization, user: User, scim: ScimUser | None) -> bool:
    return unmanaged_reason(organization, user, scim) is None


def require_managed(organization: Organization, user: User, scim: ScimUser | None, change: str) -> None:
    reason = unmanaged_reason(organization, user, scim)
    if reason is not None:
        raise ScimError(403, f"Refused to change {change}: {reason}")


def require_verified_email(organization: Organization, email: str) -> None:
    if not in_verified_domain(organization, email):
        domain = email.rpartition("@")[2] or email
        raise ScimError(403, f"Refused to set the email to {email}: the organization has not verified the domain "
                             f"{domain}. Add and verify it under Settings → SSO first.")


def is_last_active_owner(organization: Organization, user: User) -> bool:
    owners = Membership.objects.filter(organization=organization, role=Role.OWNER.value, user__is_active=True)
    return owners.filter(user=user).exists() and not owners.exclude(user=user).exists()


def require_not_last_owner(organization: Organization, user: User, action: str) -> None:
    if is_last_active_owner(organization, user):
        raise ScimError(403, f"Refused to {action} {user.email}: they are the organization's last active owner. "
                             "Make someone else owner in Anneal first.")
