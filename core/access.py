"""Who may do what in an organization, resolved from memberships and ``anneal_organization_role``."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from core.models import Membership, Organization
from core.plugins import hooks
from core.roles import Permission, Role, allows


class NotVisible(Exception):
    """The organization does not exist for this user: shown as 404, never 403."""


class NotAllowed(Exception):
    """The user can see the organization but their role does not allow the action."""

    def __init__(self, role: Role | None, permission: Permission) -> None:
        self.role = role
        self.permission = permission
        super().__init__(
            f"Your role ({role.value if role else 'none'}) does not allow this; it needs "
            f"{REQUIRED_NAMES[permission]}."
        )


REQUIRED_NAMES = {
    Permission.VIEW: "any role",
    Permission.WRITE: "member or higher",
    Permission.MANAGE: "admin or owner",
    Permission.OWN: "owner",
}


def _can_have_roles(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _roles(user: Any) -> dict[int, Role | None]:
    """The roles resolved for ``user`` so far, by organization id (lives as long as the user object)."""
    cache = getattr(user, "_anneal_roles", None)
    if cache is None:
        cache = user._anneal_roles = {}
    return cache


def _remember(user: Any, organization: Organization, membership_role: str | None) -> Role | None:
    """The role from the membership, else from ``anneal_organization_role``; cached on ``user``."""
    role = membership_role if membership_role is not None else hooks.organization_role(user, organization)
    _roles(user)[organization.pk] = Role(role) if role else None
    return _roles(user)[organization.pk]


def role_of(user: Any, organization: Organization) -> Role | None:
    """The role of ``user`` in ``organization`` (membership, else ``anneal_organization_role``), or ``None``.

    Cached on the user object for the request; ``forget_roles(user)`` clears it after a change.
    """
    if not _can_have_roles(user):
        return None
    cache = _roles(user)
    if organization.pk in cache:
        return cache[organization.pk]
    membership_role = (
        Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()
    )
    return _remember(user, organization, membership_role)


def allows_role(role: Role | None, permission: Permission) -> bool:
    """Whether ``role`` may do what ``permission`` needs (``None``, no role, may do nothing)."""
    return allows(role, permission)


def forget_roles(user: Any) -> None:
    if hasattr(user, "_anneal_roles"):
        del user._anneal_roles


def visible_organizations(user: Any) -> QuerySet[Organization]:
    """The organizations ``user`` is a member of (none for a signed-out user)."""
    if user is None or not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).distinct()


def require(user: Any, organization: Organization, permission: Permission) -> Role:
    """``user``'s role in ``organization`` if it allows ``permission``.

    Raises ``NotVisible`` for a non-member (answer 404) and ``NotAllowed`` for a role that is too low
    (answer 403 with its message); the API and ``organization_view`` turn both into those answers.
    """
    role = role_of(user, organization)
    if role is None:
        raise NotVisible(organization.slug)
    if not allows(role, permission):
        raise NotAllowed(role, permission)
    return role


def get_organization(user: Any, slug: str, permission: Permission = Permission.VIEW) -> tuple[Organization, Role]:
    """The organization named ``slug`` and the user's role in it, or ``NotVisible`` / ``NotAllowed``.

    A member's organization and role come from one query (organization joined with the
    membership); only a user who is not a member costs a second one, for the organization alone,
    whose role ``anneal_organization_role`` may still grant.
    """
    organization = None
    if _can_have_roles(user):
        organization = (Organization.objects.filter(slug=slug, memberships__user=user)
                        .annotate(member_role=F("memberships__role")).first())
        if organization is not None and organization.pk not in _roles(user):
            _remember(user, organization, organization.member_role)
    if organization is None:
        organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise NotVisible(slug)
    return organization, require(user, organization, permission)
