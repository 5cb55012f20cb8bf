"""SCIM changes to users and memberships, through the core's services and the ownership rules."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from anneal_enterprise.sso import events
from anneal_enterprise.sso.models import IdentityProvider, ScimGroup, ScimUser
from anneal_enterprise.sso.roles import mapped_role
from anneal_enterprise.sso.scim import ownership
from anneal_enterprise.sso.scim.errors import ScimError, require_fits
from anneal_enterprise.sso.scim.representation import (
    account_email_taken, email_for_account, email_of, name_of, stored_attributes, user_name_key, user_resource,
)
from anneal_enterprise.sso.scim.schema import UserResource
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


def _target(scim: ScimUser) -> Target:
    return Target("user", str(scim.user_id), scim.user_name or scim.user.email)


def _require_free_user_name(organization: Organization, user_name: str, scim: ScimUser | None) -> None:
    taken = ScimUser.objects.filter(organization=organization, user_name_key=user_name_key(user_name))
    if scim is not None:
        taken = taken.exclude(pk=scim.pk)
    if taken.exists():
        raise ScimError(409, f"A user with userName {user_name!r} exists in this organization.", "uniqueness")


def _account_for(organization: Organization, email: str, name: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is None:
        try:
            return user_services.create_user(email, None, name=sanitize_name(name, user_services.NAME_MAX)), True
        except ServiceError as exc:
            raise ScimError(409, exc.message, "uniqueness") from None
    if ScimUser.objects.filter(organization=organization, user=user).exists():
        raise ScimError(409, f"The account {email} is already provisioned in this organization.", "uniqueness")
    if not Membership.objects.filter(organization=organization, user=user).exists() \
            and not ownership.manages(organization, user, None):
        # Linking an outside account would let this organization claim it.
        raise ScimError(409, f"An account for {email} exists outside this organization, and it is not one this "
                             "organization's SCIM may manage (its domain is not verified by the organization, or it "
                             "belongs to another organization or to the instance staff).", "uniqueness")
    return user, False


def create_user(organization: Organization, resource: UserResource) -> ScimUser:
    user_name = str(resource.user_name or "").strip()
    if not user_name:
        raise ScimError(400, "userName is required.", "invalidValue")
    require_fits(userName=user_name, externalId=resource.external_id or "")
    email = email_for_account(resource)
    with transaction.atomic():
        _require_free_user_name(organization, user_name, None)
        user, created = _account_for(organization, email, name_of(resource))
        scim = ScimUser.objects.create(
            organization=organization, user=user, user_name=user_name, user_name_key=user_name_key(user_name),
            external_id=resource.external_id or "", attributes=stored_attributes(resource), created_account=created)
        if not Membership.objects.filter(organization=organization, user=user).exists():
            organization_services.add_member(organization, user, _mapping(organization)[1])
        emit(events.SCIM_USER_CREATED, organization=organization, target=_target(scim),
             after={"userName": user_name, "externalId": scim.external_id, "linked": not created})
        if resource.active is False:
            set_active(organization, scim, False)
    return scim


def _identity_changes(scim: ScimUser, before: UserResource, after: UserResource) -> dict[str, Any]:
    """The account fields the new resource changes; refused unless SCIM manages the account."""
    user = scim.user
    changes: dict[str, Any] = {}
    email = email_of(after)
    if email and email != email_of(before) and email != user.email:
        changes["email"] = email
    name = sanitize_name(name_of(after), user_services.NAME_MAX)
    if name_of(after) != name_of(before) and name != user.name:
        changes["name"] = name
    return changes


def replace_user(organization: Organization, scim: ScimUser, after: UserResource) -> ScimUser:
    """Make the stored resource ``after`` (a PUT, or the result of a PATCH), under the ownership rules."""
    before = user_resource(scim)
    user_name = str(after.user_name or "").strip()
    if not user_name:
        raise ScimError(400, "userName is required.", "invalidValue")
    require_fits(userName=user_name, externalId=after.external_id or "")
    attributes = stored_attributes(after)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=scim.user_id)
        scim.user = user
        managed = ownership.manages(organization, user, scim)
        described = _described(attributes) != _described(scim.attributes) or user_name != scim.user_name
        if described and not managed:
            ownership.require_managed(organization, user, scim, "the user's attributes")
        profile = _identity_changes(scim, before, after)
        if "email" in profile:
            ownership.require_verified_email(organization, profile["email"])
            if account_email_taken(profile["email"], user):
                raise ScimError(409, f"Another account uses {profile['email']}.", "uniqueness")
        _require_free_user_name(organization, user_name, scim)
        changed = sorted(k for k, v in {"userName": user_name != scim.user_name, "attributes": attributes != scim.attributes,
                                        "externalId": (after.external_id or "") != scim.external_id}.items() if v)
        if profile:
            try:
                user_services.update_user(user, **profile)
            except (ServiceError, IntegrityError):
                raise ScimError(409, "Another account uses that email address.", "uniqueness") from None
        if changed or profile:
            scim.user_name, scim.user_name_key = user_name, user_name_key(user_name)
            scim.attributes, scim.external_id = attributes, after.external_id or ""
            _touch(scim)
            emit(events.SCIM_USER_UPDATED, organization=organization, target=_target(scim),
                 data={"changed": changed, "account": sorted(profile)})
        if after.active is not None and bool(after.active) != scim.active:
            set_active(organization, scim, bool(after.active))
    return scim


def _described(attributes: dict[str, Any]) -> dict[str, Any]:
    """What describes the person: all but ``active`` and ``externalId``, which SCIM may set on any member."""
    return {k: v for k, v in (attributes or {}).items() if k not in {"active", "externalId"}}


def _touch(scim: ScimUser) -> None:
    scim.updated_at = timezone.now()
    scim.version += 1
    scim.save()


def set_active(organization: Organization, scim: ScimUser, active: bool) -> None:
    """Deactivation removes access here: the account is deactivated when SCIM manages it, otherwise only
    the membership in this organization is removed. The last active owner is never deactivated."""
    user = scim.user
    with transaction.atomic():
        managed = ownership.manages(organization, user, scim)
        if not active:
            ownership.require_not_last_owner(organization, user, "deactivate")
        scim.active = active
        _touch(scim)
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if not active:
            if managed and user.is_active:
                user_services.update_user(user, is_active=False)
            elif not managed and membership is not None:
                _remove(membership)
            emit(events.SCIM_USER_DEACTIVATED, organization=organization, target=_target(scim),
                 data={"scope": "account" if managed else "membership"})
            return
        if managed and not user.is_active:
            user_services.update_user(user, is_active=True)
        if membership is None:
            organization_services.add_member(organization, user, _mapping(organization)[1])
            apply_group_roles(organization, [user])
        emit(events.SCIM_USER_REACTIVATED, organization=organization, target=_target(scim),
             data={"scope": "account" if managed else "membership"})


def _remove(membership: Membership) -> None:
    try:
        organization_services.remove_member(membership)
    except ServiceError as exc:
        raise ScimError(403, exc.message) from None


def delete_user(organization: Organization, scim: ScimUser) -> None:
    """Deprovision: the membership goes (and the account is deactivated when SCIM manages it), the link too."""
    user = scim.user
    with transaction.atomic():
        ownership.require_not_last_owner(organization, user, "remove")
        managed = ownership.manages(organization, user, scim)
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if managed and user.is_active:
            user_services.update_user(user, is_active=False)
        if membership is not None:
            _remove(membership)
        for group in ScimGroup.objects.filter(organization=organization, members=user):
            group.members.remove(user)
        emit(events.SCIM_USER_DELETED, organization=organization, target=_target(scim),
             data={"scope": "account" if managed else "membership"})
        scim.delete()


def apply_group_roles(organization: Organization, users: list[User]) -> None:
    """Map each user's SCIM groups to a role, as sign-in does; the last active owner is never demoted."""
    mapping, default = _mapping(organization)
    for user in users:
        groups = list(ScimGroup.objects.filter(organization=organization, members=user).values_list("display_name", flat=True))
        role = mapped_role(mapping, default, groups)
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if role is None or membership is None or membership.role == role.value:
            continue
        if ownership.is_last_active_owner(organization, user):
            continue
        try:
            organization_services.change_role(membership, role)
        except ServiceError:
            pass
