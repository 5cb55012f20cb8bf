"""Discovery (RFC 7644 §4): what the service supports, GET only; and the SCIM 404 for unknown paths."""

from __future__ import annotations

from django.http import HttpResponse

from anneal_enterprise.sso.scim import groups, query, schema, users
from anneal_enterprise.sso.scim.errors import ScimError
from anneal_enterprise.sso.scim.http import Call, endpoint, respond


@endpoint("GET")
def service_provider_config(call: Call) -> HttpResponse:
    return respond(schema.service_provider_config())


def _listed(documents: list[dict]) -> HttpResponse:
    return respond(schema.list_response(documents, len(documents), 1))


def _one(documents: list[dict], key: str, wanted: str, kind: str) -> HttpResponse:
    for document in documents:
        if document[key] == wanted:
            return respond(document)
    raise ScimError(404, f"Unknown {kind} {wanted!r}.")


@endpoint("GET")
def resource_types(call: Call) -> HttpResponse:
    return _listed(schema.resource_types())


@endpoint("GET")
def resource_type(call: Call, resource_id: str) -> HttpResponse:
    return _one(schema.resource_types(), "id", resource_id, "resource type")


@endpoint("GET")
def schemas(call: Call) -> HttpResponse:
    return _listed(schema.schemas())


@endpoint("GET")
def schema_detail(call: Call, resource_id: str) -> HttpResponse:
    return _one(schema.schemas(), "id", resource_id, "schema")


@endpoint("POST")
def root_search(call: Call) -> HttpResponse:
    """``POST /.search`` across Users and Groups (RFC 7644 §3.4.3)."""
    search = query.search_request(schema.UserResource | schema.GroupResource, call.request, call.body)  # type: ignore[arg-type]
    start = search.start_index or 1
    count = schema.DEFAULT_COUNT if search.count is None else search.count
    return respond(query.run_many([(search, lambda: users.all_resources(call.organization)),
                                   (search, lambda: groups.all_resources(call.organization))], start, count))


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(call: Call, rest: str = "") -> HttpResponse:
    raise ScimError(404, f"No SCIM endpoint at /{rest}. The endpoints are /Users, /Groups, /ServiceProviderConfig, "
                         "/ResourceTypes, /Schemas and /.search.")
