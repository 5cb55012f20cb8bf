"""``/Users``: list, query, create, read, replace, patch and delete (RFC 7644 §3)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from scim2_models import Context

from anneal_enterprise.sso.models import ScimGroup, ScimUser
from anneal_enterprise.sso.scim import patch, query, user_service
from anneal_enterprise.sso.scim.errors import ScimError
from anneal_enterprise.sso.scim.http import Call, check_preconditions, endpoint, respond
from anneal_enterprise.sso.scim.representation import user_name_key, user_resource
from anneal_enterprise.sso.scim.schema import POLICY, UserResource
from core.input_guard import row_id
from core.models import Organization


def _linked(organization: Organization) -> QuerySet[ScimUser]:
    return ScimUser.objects.filter(organization=organization).select_related("user").order_by("pk")


def all_resources(organization: Organization, queryset: QuerySet[ScimUser] | None = None) -> list[UserResource]:
    links = list(queryset if queryset is not None else _linked(organization))
    groups: dict[int, list[ScimGroup]] = {s.user_id: [] for s in links}
    through = ScimGroup.members.through.objects.filter(scimgroup__organization=organization,
                                                       user_id__in=list(groups)).select_related("scimgroup")
    for row in through:
        groups[row.user_id].append(row.scimgroup)
    return [user_resource(s, groups[s.user_id]) for s in links]


def _find(call: Call, resource_id: str) -> ScimUser:
    user_id = row_id(resource_id)
    scim = _linked(call.organization).filter(user_id=user_id).first() if user_id is not None else None
    if scim is None:  # members SCIM did not provision or link are not SCIM resources
        raise ScimError(404, f"User {resource_id} not found.")
    return scim


def _search(call: Call, body: dict | None) -> HttpResponse:
    search = query.search_request(UserResource, call.request, body)
    queryset = _linked(call.organization)
    user_name = query.equality(search, "userName")
    if user_name is not None:
        queryset = queryset.filter(user_name_key=user_name_key(user_name))
    external_id = query.equality(search, "externalId")
    if external_id is not None:
        queryset = queryset.filter(external_id=external_id)
    return respond(query.run(search, all_resources(call.organization, queryset)))


def _one(call: Call, scim: ScimUser, status: int = 200) -> HttpResponse:
    resource = user_resource(scim)
    parameters = query.response_parameters(UserResource, call.request)
    return respond(query.dump(resource, parameters), status, scim.version, str(resource.meta.location))


@endpoint("GET", "POST")
def users(call: Call) -> HttpResponse:
    if call.request.method == "GET":
        return _search(call, None)
    resource = UserResource.model_validate(patch.resource_body(call.body, str(UserResource.__schema__)),
                                           scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY)
    return _one(call, user_service.create_user(call.organization, resource), 201)


@endpoint("POST")
def search(call: Call) -> HttpResponse:
    return _search(call, call.body)


@endpoint("GET", "PUT", "PATCH", "DELETE")
def user(call: Call, resource_id: str) -> HttpResponse:
    scim = _find(call, resource_id)
    not_modified = check_preconditions(call.request, scim.version)
    if not_modified is not None:
        return not_modified
    method = call.request.method
    if method == "GET":
        return _one(call, scim)
    if method == "DELETE":
        user_service.delete_user(call.organization, scim)
        return respond(None, 204)
    if method == "PUT":
        after = UserResource.model_validate(patch.resource_body(call.body, str(UserResource.__schema__)),
                                            scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY)
        after.id = str(scim.user_id)
    else:
        after = user_resource(scim)
        patch.apply(after, call.body)
    return _one(call, user_service.replace_user(call.organization, scim, after))
