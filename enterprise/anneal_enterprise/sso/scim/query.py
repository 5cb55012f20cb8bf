"""List and query (RFC 7644 §3.4.2, §3.4.3): filter, sort, paging and the returned attributes."""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from django.http import HttpRequest
from scim2_models import Context, Resource, ResponseParameters, SearchRequest
from scim2_models.path.expressions import Comparison, CompareOperator

from anneal_enterprise.sso.scim.errors import ScimError
from anneal_enterprise.sso.scim.schema import DEFAULT_COUNT, MAX_RESULTS, POLICY, list_response

ResourceT = TypeVar("ResourceT", bound=Resource[Any])
_PARAMETERS = ("filter", "sortBy", "sortOrder", "startIndex", "count", "attributes", "excludedAttributes")
_SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def _integer(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScimError(400, f"{name} must be an integer.", "invalidValue") from None


def search_request(model: type[ResourceT], request: HttpRequest, body: dict[str, Any] | None = None
                   ) -> SearchRequest[ResourceT]:
    """The query of a GET (its parameters) or of a POST to ``.search`` (its SearchRequest body)."""
    if body is not None:
        if _SEARCH_SCHEMA not in (body.get("schemas") or []):
            raise ScimError(400, f"A .search body is a {_SEARCH_SCHEMA} message.", "invalidSyntax")
        values = {k: body[k] for k in _PARAMETERS if k in body}
    else:
        values = {k: request.GET[k] for k in _PARAMETERS if k in request.GET}
    for name in ("startIndex", "count"):
        if name in values:
            values[name] = _integer(name, values[name])
    for name in ("attributes", "excludedAttributes"):
        if isinstance(values.get(name), str):
            values[name] = [a.strip() for a in values[name].split(",") if a.strip()]
    if "sortOrder" in values and isinstance(values["sortOrder"], str):
        values["sortOrder"] = values["sortOrder"].lower()
    return SearchRequest[model].model_validate(values, scim_policy=POLICY)  # type: ignore[valid-type]


def response_parameters(model: type[ResourceT], request: HttpRequest) -> ResponseParameters[ResourceT]:
    values: dict[str, Any] = {}
    for name in ("attributes", "excludedAttributes"):
        if name in request.GET:
            values[name] = [a.strip() for a in request.GET[name].split(",") if a.strip()]
    return ResponseParameters[model].model_validate(values, scim_policy=POLICY)  # type: ignore[valid-type]


def equality(search: SearchRequest[Any], attribute: str) -> str | None:
    """The value of a top-level ``<attribute> eq "..."`` filter, which the database can narrow by."""
    node = search.filter.ast if search.filter is not None else None
    if isinstance(node, Comparison) and node.op == CompareOperator.eq and node.attr_path.uri is None \
            and node.attr_path.sub_attr is None and node.attr_path.attr.lower() == attribute.lower() \
            and isinstance(node.value, str):
        return node.value
    return None


def dump(resource: Resource[Any], parameters: ResponseParameters[Any] | None) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters,
                               scim_policy=POLICY)


def run(search: SearchRequest[ResourceT], resources: Iterable[ResourceT]) -> dict[str, Any]:
    """Filter, sort and page ``resources``; a ListResponse with the requested attributes."""
    matched = [r for r in resources if search.filter is None or search.filter.match(r)]
    if search.sort_by is not None:
        matched = search.sort(matched)
    start = search.start_index or 1
    count = min(DEFAULT_COUNT if search.count is None else search.count, MAX_RESULTS)
    page = matched[start - 1:start - 1 + count]
    return list_response([dump(r, search) for r in page], len(matched), start)


def run_many(searches: list[tuple[SearchRequest[Any], Callable[[], Iterable[Resource[Any]]]]],
             start: int, count: int) -> dict[str, Any]:
    """``POST /.search`` over several resource types: each filtered and sorted, then paged together."""
    matched: list[tuple[Resource[Any], SearchRequest[Any]]] = []
    for search, load in searches:
        found = [r for r in load() if search.filter is None or search.filter.match(r)]
        matched += [(r, search) for r in (search.sort(found) if search.sort_by is not None else found)]
    page = matched[start - 1:start - 1 + min(count, MAX_RESULTS)]
    return list_response([dump(r, s) for r, s in page], len(matched), start)
