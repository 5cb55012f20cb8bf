"""SCIM resources from what is stored, and what is stored from SCIM resources."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from scim2_models import Context, Meta

from anneal_enterprise.sso.models import ScimGroup, ScimUser
from anneal_enterprise.sso.scim.schema import ENTERPRISE_USER, POLICY, GroupResource, UserResource, location
from core.models import User

# Attributes kept in their own columns or computed, never in ``ScimUser.attributes``.
_NOT_STORED = {"schemas", "id", "meta", "userName", "groups", "password"}


def user_name_key(user_name: str) -> str:
    """userName as uniqueness compares it: case-insensitive (RFC 7643 §4.1.1, caseExact false)."""
    return unicodedata.normalize("NFC", user_name).lower()


def stored_attributes(resource: UserResource) -> dict[str, Any]:
    dumped = resource.model_dump(scim_ctx=Context.DEFAULT, scim_policy=POLICY)
    return {key: value for key, value in dumped.items() if key not in _NOT_STORED and value not in (None, [], {})}


def email_of(resource: UserResource) -> str | None:
    """The account email: the primary email, else the first ``work`` one, else the first, else a userName
    that is an email address."""
    emails = [e for e in resource.emails or [] if e.value]
    chosen = next((e for e in emails if e.primary), None) or next((e for e in emails if e.type == "work"), None) \
        or (emails[0] if emails else None)
    if chosen is not None:
        return str(chosen.value).strip().lower()
    if resource.user_name and "@" in resource.user_name:
        return resource.user_name.strip().lower()
    return None


def name_of(resource: UserResource) -> str:
    name = resource.name
    if name is not None:
        parts = " ".join(p for p in (name.given_name, name.family_name) if p)
        if parts or name.formatted:
            return (parts or name.formatted or "").strip()
    return (resource.display_name or "").strip()


def _meta(resource_type: str, endpoint: str, resource_id: str, created: Any, modified: Any, version: int) -> Meta:
    return Meta(resource_type=resource_type, created=created, last_modified=modified,
                location=location(endpoint, resource_id), version=f'W/"{version}"')


def user_resource(scim: ScimUser, groups: list[ScimGroup] | None = None) -> UserResource:
    data = dict(scim.attributes or {})
    data.update({"id": str(scim.user_id), "userName": scim.user_name or scim.user.email})
    if "active" in data:  # an IdP may leave active unassigned (or remove it); access stays scim.active
        data["active"] = scim.active
    if groups is None:
        groups = list(ScimGroup.objects.filter(organization_id=scim.organization_id, members=scim.user_id))
    if groups:
        data["groups"] = [{"value": str(g.public_id), "display": g.display_name, "type": "direct",
                           "$ref": location("Groups", str(g.public_id))} for g in groups]
    schemas = [str(UserResource.__schema__)] + ([ENTERPRISE_USER] if ENTERPRISE_USER in data else [])
    resource = UserResource.model_validate({"schemas": schemas, **data}, scim_policy=POLICY)
    resource.meta = _meta("User", "Users", str(scim.user_id), scim.created_at, scim.updated_at, scim.version)
    return resource


def group_resource(group: ScimGroup, links: dict[int, ScimUser] | None = None) -> GroupResource:
    members = list(group.members.all())
    if links is None:
        links = {s.user_id: s for s in ScimUser.objects.filter(organization_id=group.organization_id,
                                                               user__in=members).select_related("user")}
    displays = (group.attributes or {}).get("displays", {})
    resource = GroupResource.model_validate({
        "schemas": [str(GroupResource.__schema__)], "id": str(group.public_id), "displayName": group.display_name,
        **({"externalId": group.external_id} if group.external_id else {}),
        "members": [{"value": str(u.pk), "type": "User", "$ref": location("Users", str(u.pk)),
                     "display": displays.get(str(u.pk)) or (links[u.pk].user_name if u.pk in links else u.email)}
                    for u in members] or None,
    }, scim_policy=POLICY)
    resource.meta = _meta("Group", "Groups", str(group.public_id), group.created_at, group.updated_at, group.version)
    return resource


def account_email_taken(email: str, user: User | None) -> bool:
    others = User.objects.filter(email=email)
    return (others.exclude(pk=user.pk) if user is not None else others).exists()


NO_EMAIL_DOMAIN = "no-email.invalid"


def email_for_account(resource: UserResource) -> str:
    """The new account's email; a user created without one (only userName is required) gets an address at
    the reserved ``.invalid`` domain, which no mail reaches and no sign-in matches, until the IdP sends one."""
    email = email_of(resource)
    if email and "@" in email:
        return email
    return f"{uuid.uuid4().hex}@{NO_EMAIL_DOMAIN}"
