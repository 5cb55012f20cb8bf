"""SCIM changes to users, memberships and groups, through the core's services."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anneal_enterprise.sso import events
from anneal_enterprise.sso.models import IdentityProvider, ScimGroup, ScimUser, VerifiedDomain
from anneal_enterprise.sso.roles import mapped_role
from anneal_enterprise.sso.scim_resources import ScimError
from core.events import Target, emit
from core.models import Membership, Organization, User
from core.roles import Role
from core.services import organizations as organization_services
from core.services import users as user_services
from core.services.errors import ServiceError
from core.services.names import sanitize_name


def _mapping(organization: Organization) -> tuple[dict[str, str], str]:
    provider = IdentityProvider.objects.filter(organization=organization, enabled=True).order_by("pk").first()
    return (provider.role_mapping, provider.default_role) if provider else ({}, Role.MEMBER.value)


def _target(user: User) -> Target:
    return Target("user", str(user.pk), user.email)


def is_active_member(organization: Organization, user: User) -> bool:
    return user.is_active and Membership.objects.filter(organization=organization, user=user).exists()


def create_user(organization: Organization, user_name: str, name: str, external_id: str, active: bool) -> User:
    email = user_name.strip().lower()
    if "@" not in email:
        raise ScimError(400, "userName must be the person's email address.", "invalidValue")
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_services.create_user(email, None, name=sanitize_name(name, user_services.NAME_MAX))
        elif not VerifiedDomain.objects.verified().filter(organization=organization, domain=email.rpartition("@")[2]).exists():
            raise ScimError(409, f"An account for {email} exists and its domain is not verified by this organization.",
                            "uniqueness")
        if ScimUser.objects.filter(organization=organization, user=user).exists():
            raise ScimError(409, f"{email} is already provisioned.", "uniqueness")
        scim = ScimUser.objects.create(organization=organization, user=user, external_id=external_id, active=True)
        if not Membership.objects.filter(organization=organization, user=user).exists():
            organization_services.add_member(organization, user, _mapping(organization)[1])
        emit(events.SCIM_USER_CREATED, organization=organization, target=_target(user),
             after={"userName": email, "externalId": external_id})
        if not active:
            set_active(organization, user, scim, False)
    return user


def update_user(organization: Organization, user: User, scim: ScimUser, changes: dict[str, Any]) -> None:
    """Apply ``changes`` (userName, name, externalId, active)."""
    with transaction.atomic():
        profile: dict[str, Any] = {}
        if "userName" in changes and changes["userName"].strip().lower() != user.email:
            profile["email"] = changes["userName"].strip().lower()
        if "name" in changes and sanitize_name(changes["name"], user_services.NAME_MAX) != user.name:
            profile["name"] = sanitize_name(changes["name"], user_services.NAME_MAX)
        if profile:
            try:
                user_services.update_user(user, **profile)
            except Exception as exc:  # a duplicate email is the only expected failure
                raise ScimError(409, f"Cannot change the user: {exc}", "uniqueness") from None
        if "externalId" in changes and changes["externalId"] != scim.external_id:
            scim.external_id = changes["externalId"] or ""
            scim.save(update_fields=["external_id"])
        if profile or "externalId" in changes:
            emit(events.SCIM_USER_UPDATED, organization=organization, target=_target(user), after=changes | {})
        if "active" in changes and bool(changes["active"]) != scim.active:
            set_active(organization, user, scim, bool(changes["active"]))


def set_active(organization: Organization, user: User, scim: ScimUser, active: bool) -> None:
    """Deactivation removes access here: the account is deactivated when this organization is its only
    one, otherwise only the membership in this organization is removed."""
    with transaction.atomic():
        scim.active = active
        scim.save(update_fields=["active"])
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if not active:
            elsewhere = Membership.objects.filter(user=user).exclude(organization=organization).exists()
            if not elsewhere and user.is_active:
                user_services.update_user(user, is_active=False)
            elif elsewhere and membership is not None:
                try:
                    organization_services.remove_member(membership)
                except ServiceError as exc:
                    raise ScimError(409, exc.message) from None
            emit(events.SCIM_USER_DEACTIVATED, organization=organization, target=_target(user))
        else:
            if not user.is_active:
                user_services.update_user(user, is_active=True)
            if membership is None:
                organization_services.add_member(organization, user, _mapping(organization)[1])
            emit(events.SCIM_USER_UPDATED, organization=organization, target=_target(user), after={"active": True})


def apply_group_roles(organization: Organization, users: list[User]) -> None:
    """Map each user's SCIM groups to a role, as sign-in does; owners are never demoted below the last one."""
    mapping, default = _mapping(organization)
    for user in users:
        groups = list(ScimGroup.objects.filter(organization=organization, members=user).values_list("display_name", flat=True))
        role = mapped_role(mapping, default, groups)
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if role is None or membership is None or membership.role == role.value:
            continue
        try:
            organization_services.change_role(membership, role)
        except ServiceError:
            pass


def members_of(organization: Organization, values: list[Any]) -> list[User]:
    ids = []
    for item in values or []:
        value = item.get("value") if isinstance(item, dict) else item
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ScimError(400, f"Unknown member {value!r}.", "invalidValue") from None
    users = list(User.objects.filter(pk__in=ids, memberships__organization=organization).distinct())
    if len(users) != len(set(ids)):
        raise ScimError(400, "A group member is not a member of this organization.", "invalidValue")
    return users


def save_group(organization: Organization, group: ScimGroup | None, display_name: str, external_id: str,
               members: list[User] | None, event: str) -> ScimGroup:
    with transaction.atomic():
        before = set(group.members.all()) if group else set()
        if group is None:
            if ScimGroup.objects.filter(organization=organization, display_name=display_name).exists():
                raise ScimError(409, f"A group named {display_name!r} exists.", "uniqueness")
            group = ScimGroup.objects.create(organization=organization, display_name=display_name,
                                             external_id=external_id)
        else:
            group.display_name, group.external_id = display_name, external_id
            group.save()
        if members is not None:
            group.members.set(members)
        after = set(group.members.all())
        emit(event, organization=organization, target=Target("group", str(group.public_id), display_name),
             data={"added": sorted(u.email for u in after - before), "removed": sorted(u.email for u in before - after)})
        apply_group_roles(organization, list(before | after))
    return group


def delete_group(organization: Organization, group: ScimGroup) -> None:
    with transaction.atomic():
        users = list(group.members.all())
        emit(events.SCIM_GROUP_DELETED, organization=organization,
             target=Target("group", str(group.public_id), group.display_name))
        group.delete()
        apply_group_roles(organization, users)
