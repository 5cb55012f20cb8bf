"""``/Groups``: list, query, create, read, replace, patch and delete; members map to roles."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import HttpResponse
from scim2_models import Context

from anneal_enterprise.sso.models import ScimGroup, ScimUser
from anneal_enterprise.sso.scim import group_service, patch, query
from anneal_enterprise.sso.scim.errors import ScimError
from anneal_enterprise.sso.scim.http import Call, check_preconditions, endpoint, respond
from anneal_enterprise.sso.scim.representation import group_resource
from anneal_enterprise.sso.scim.schema import POLICY, GroupResource
from core.models import Organization


def _groups(organization: Organization) -> QuerySet[ScimGroup]:
    return ScimGroup.objects.filter(organization=organization).prefetch_related("members").order_by("pk")


def all_resources(organization: Organization, queryset: QuerySet[ScimGroup] | None = None) -> list[GroupResource]:
    links = {s.user_id: s for s in ScimUser.objects.filter(organization=organization).select_related("user")}
    return [group_resource(g, links) for g in (queryset if queryset is not None else _groups(organization))]


def _find(call: Call, resource_id: str) -> ScimGroup:
    try:
        public_id = uuid.UUID(resource_id) if len(resource_id) == 36 else None
    except ValueError:
        public_id = None
    group = _groups(call.organization).filter(public_id=public_id).first() if public_id else None
    if group is None:
        raise ScimError(404, f"Group {resource_id} not found.")
    return group


def _search(call: Call, body: dict | None) -> HttpResponse:
    search = query.search_request(GroupResource, call.request, body)
    queryset = _groups(call.organization)
    name = query.equality(search, "displayName")
    if name is not None:
        queryset = queryset.filter(display_name__iexact=name)
    return respond(query.run(search, all_resources(call.organization, queryset)))


def _one(call: Call, group: ScimGroup, status: int = 200) -> HttpResponse:
    group = _groups(call.organization).get(pk=group.pk)
    resource = group_resource(group)
    parameters = query.response_parameters(GroupResource, call.request)
    return respond(query.dump(resource, parameters), status, group.version, str(resource.meta.location))


def _read(body: dict, context: Context) -> GroupResource:
    return GroupResource.model_validate(patch.resource_body(body, str(GroupResource.__schema__)),
                                        scim_ctx=context, scim_policy=POLICY)


@endpoint("GET", "POST")
def groups(call: Call) -> HttpResponse:
    if call.request.method == "GET":
        return _search(call, None)
    resource = _read(call.body, Context.RESOURCE_CREATION_REQUEST)
    return _one(call, group_service.save_group(call.organization, None, resource), 201)


@endpoint("POST")
def search(call: Call) -> HttpResponse:
    return _search(call, call.body)


@endpoint("GET", "PUT", "PATCH", "DELETE")
def group(call: Call, resource_id: str) -> HttpResponse:
    found = _find(call, resource_id)
    not_modified = check_preconditions(call.request, found.version)
    if not_modified is not None:
        return not_modified
    method = call.request.method
    if method == "GET":
        return _one(call, found)
    if method == "DELETE":
        group_service.delete_group(call.organization, found)
        return respond(None, 204)
    if method == "PUT":
        after = _read(call.body, Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        after = group_resource(found)
        patch.apply(after, call.body)
    return _one(call, group_service.save_group(call.organization, found, after))
