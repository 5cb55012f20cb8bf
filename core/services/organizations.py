from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from core.events import Target, current_actor, emit
from core.events.diff import snapshot
from core.models import Membership, Organization, User
from core.plugins import hooks
from core.roles import Role
from core.services.errors import PolicyRefused, ServiceError
from core.services.names import clean_name

ORGANIZATION_FIELDS = ["name", "slug"]
NAME_MAX = 200


def organization_target(organization: Organization) -> Target:
    return Target("organization", str(organization.pk), organization.slug)


def membership_target(membership: Membership) -> Target:
    return Target("membership", str(membership.pk), f"{membership.user.email} in {membership.organization.slug}")


def _check(action: str, organization: Organization | None, details: dict[str, Any]) -> None:
    refusal = hooks.action_policy(action, current_actor(), organization, details)
    if refusal is not None:
        raise PolicyRefused(refusal.reason, refusal.code)


def create_organization(owner: User, name: str, slug: str | None = None) -> Organization:
    """Create an organization with ``owner`` as its owner; emits ``organization.created``.

    Plugins' action policies may refuse it (``PolicyRefused``); a taken slug is a ``ServiceError``.
    """
    name = clean_name(name, what="organization's name", max_length=NAME_MAX)
    slug = slugify(slug or name)[:100].strip("-")  # a slug made from a long name fits the column
    if not slug:
        raise ServiceError("An organization needs a name with at least one letter or digit.", field="name")
    _check("organization.create", None, {"name": name, "slug": slug})
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug)
            emit("organization.created", organization=organization, target=organization_target(organization),
                 after=snapshot(organization, ORGANIZATION_FIELDS))
            _add_member(organization, owner, Role.OWNER)
    except IntegrityError:
        raise ServiceError(f"The slug {slug!r} is taken; choose another.", code="unique", field="slug") from None
    return organization


def update_organization(organization: Organization, **changes: Any) -> Organization:
    before = snapshot(organization, ORGANIZATION_FIELDS)
    for name, value in changes.items():
        if name not in ORGANIZATION_FIELDS:
            raise ServiceError(f"Unknown organization field {name!r}.", field=name)
        if name == "name":
            value = clean_name(value, what="organization's name", max_length=NAME_MAX)
        setattr(organization, name, slugify(value) if name == "slug" else value)
    try:
        with transaction.atomic():
            organization.save()
            emit("organization.updated", organization=organization, target=organization_target(organization),
                 before=before, after=snapshot(organization, ORGANIZATION_FIELDS))
    except IntegrityError:
        raise ServiceError("That slug is taken; choose another.", code="unique", field="slug") from None
    return organization


def delete_organization(organization: Organization) -> None:
    with transaction.atomic():
        emit("organization.deleted", organization=organization, target=organization_target(organization),
             before=snapshot(organization, ORGANIZATION_FIELDS), data={"organization_id": organization.pk})
        organization.delete()


def _add_member(organization: Organization, user: User, role: Role) -> Membership:
    membership = Membership.objects.create(organization=organization, user=user, role=role.value)
    emit("membership.created", organization=organization, target=membership_target(membership),
         after={"user": user.email, "role": role.value})
    return membership


def add_member(organization: Organization, user: User, role: Role | str) -> Membership:
    """Add ``user`` with ``role``; emits ``membership.created``. Already a member: ``ServiceError``."""
    role = Role(role)
    _check("membership.create", organization, {"email": user.email, "role": role.value})
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ServiceError(f"{user.email} is already a member.", code="unique")
    with transaction.atomic():
        return _add_member(organization, user, role)


def _owners(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.OWNER.value).count()


def change_role(membership: Membership, role: Role | str) -> Membership:
    """Change a member's role; emits ``membership.role_changed``. The last owner cannot step down."""
    role = Role(role)
    if membership.role == role.value:
        return membership
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.OWNER.value and _owners(locked.organization) <= 1:
            raise ServiceError("An organization keeps at least one owner: make someone else owner first.",
                               code="last_owner")
        before = {"role": locked.role}
        locked.role = role.value
        locked.save(update_fields=["role"])
        emit("membership.role_changed", organization=locked.organization, target=membership_target(locked),
             before=before, after={"role": role.value})
    membership.role = role.value
    return membership


def remove_member(membership: Membership) -> None:
    """Remove a member; emits ``membership.deleted``. The last owner cannot be removed."""
    with transaction.atomic():
        if membership.role == Role.OWNER.value and _owners(membership.organization) <= 1:
            raise ServiceError("An organization keeps at least one owner: make someone else owner first.",
                               code="last_owner")
        emit("membership.deleted", organization=membership.organization, target=membership_target(membership),
             before={"user": membership.user.email, "role": membership.role})
        membership.delete()
