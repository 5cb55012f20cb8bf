"""SCIM changes to groups; membership changes go through the group-to-role mapping."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from anneal_enterprise.sso import events
from anneal_enterprise.sso.models import ScimGroup, ScimUser
from anneal_enterprise.sso.scim.errors import ScimError, require_fits
from anneal_enterprise.sso.scim.schema import GroupResource
from anneal_enterprise.sso.scim.user_service import apply_group_roles
from core.events import Target, emit
from core.input_guard import row_id
from core.models import Organization, User


def members_of(organization: Organization, resource: GroupResource) -> list[User]:
    """The users a group resource lists; each must be a SCIM user of this organization."""
    ids: list[int] = []
    for member in resource.members or []:
        if member.type not in (None, "User"):
            raise ScimError(400, "Only users can be group members here; nested groups are not supported.",
                            "invalidValue")
        value = str(member.value or "")
        user_id = row_id(value)
        if user_id is None:
            raise ScimError(400, f"Unknown group member {value!r}: members are SCIM user ids.", "invalidValue")
        ids.append(user_id)
    linked = {s.user_id: s.user for s in ScimUser.objects.filter(organization=organization, user_id__in=ids)
              .select_related("user")}
    unknown = sorted(set(ids) - set(linked))
    if unknown:
        raise ScimError(400, f"Unknown group {'member' if len(unknown) == 1 else 'members'} {', '.join(map(str, unknown))}: provision the users first.",
                        "invalidValue")
    return [linked[i] for i in dict.fromkeys(ids)]


def _require_free_name(organization: Organization, name: str, group: ScimGroup | None) -> None:
    taken = ScimGroup.objects.filter(organization=organization, display_name__iexact=name)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise ScimError(409, f"A group named {name!r} exists in this organization.", "uniqueness")


def save_group(organization: Organization, group: ScimGroup | None, resource: GroupResource) -> ScimGroup:
    name = str(resource.display_name or "").strip()
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    require_fits(displayName=name, externalId=resource.external_id or "")
    members = members_of(organization, resource)
    with transaction.atomic():
        _require_free_name(organization, name, group)
        created = group is None
        before: set[User] = set() if group is None else set(group.members.all())
        if group is None:
            group = ScimGroup.objects.create(organization=organization, display_name=name,
                                             external_id=resource.external_id or "")
        else:
            renamed = (name, resource.external_id or "") != (group.display_name, group.external_id)
            if renamed or set(members) != before:
                group.display_name, group.external_id = name, resource.external_id or ""
                group.updated_at, group.version = timezone.now(), group.version + 1
                group.save()
        group.members.set(members)
        displays = {str(m.value): m.display for m in resource.members or [] if m.display}
        if displays != (group.attributes or {}).get("displays", {}):
            group.attributes = {**(group.attributes or {}), "displays": displays}
            group.save(update_fields=["attributes"])
        after = set(members)
        emit(events.SCIM_GROUP_CREATED if created else events.SCIM_GROUP_UPDATED, organization=organization,
             target=Target("group", str(group.public_id), name),
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
