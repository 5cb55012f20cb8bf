"""The OpenAPI schema documents every error an operation can answer, generated from the view.

Every operation gets the problem document (``core.api.errors``) for:

* 400: any request (a malformed query, body or encoding);
* 406: any request whose ``Accept`` header excludes JSON;
* 413: any request: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused before the view;
* 401 and 403: operations that need authentication or a permission;
* 404: operations with a path parameter (a missing or hidden object), and paginated lists (a
  page past the end);
* 414: operations with query parameters: the HTTP server (gunicorn) refuses a request line over
  4094 bytes with its own HTML page, before Anneal sees the request;
* 415: operations that take a request body;
* 429: throttled operations (token-authenticated requests);
* any status named in the view's ``error_statuses`` (for example 409 for a conflict).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import permissions, serializers

from core.api.errors import MEDIA_TYPE

DESCRIPTIONS = {
    400: "The request is invalid; `errors` names each invalid field.",
    401: "No valid credentials: send `Authorization: Bearer <token>`.",
    403: "Authenticated, but not allowed to do this.",
    404: "No such object, or it is not visible to you.",
    405: "The method is not allowed on this path.",
    406: "The `Accept` header excludes JSON, the only format the API answers in.",
    409: "The object is not in a state that allows this.",
    413: "The request body is larger than the server accepts (2.5 MB by default).",
    414: "The URL is too long; the HTTP server answers with its own HTML page.",
    415: "The request body's media type is not supported; send JSON.",
    429: "Too many requests; retry after `Retry-After` seconds.",
}


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Dotted path of the field, or null for the whole request.")
    code = serializers.CharField(help_text="Stable machine-readable reason, such as `required` or `unique`.")
    detail = serializers.CharField(help_text="What is wrong, for a person.")


@extend_schema_serializer(component_name="Problem")
class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem document, the body of every API error."""

    type = serializers.CharField(help_text="`about:blank`: the status and `code` say what happened.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What happened and what to do next, for a person.")
    code = serializers.CharField(help_text="Stable machine-readable reason.")
    errors = FieldErrorSerializer(many=True, help_text="One entry per invalid field (400); empty otherwise.")


def error_statuses(view: Any, method: str, path: str, paginated: bool = False) -> list[int]:
    """The error statuses an operation can answer, from its view's authentication, parameters and body."""
    codes = {400, 406, 413}
    perms = [type(p) for p in view.get_permissions()]
    anonymous = permissions.AllowAny in perms or (
        permissions.IsAuthenticatedOrReadOnly in perms and method in permissions.SAFE_METHODS)
    if not anonymous:
        codes |= {401, 403}
    if "{" in path or paginated:
        codes.add(404)
    if method in {"POST", "PUT", "PATCH"}:
        codes.add(415)
    if view.get_throttles():
        codes.add(429)
    codes |= set(getattr(view, "error_statuses", ()))
    return sorted(codes)


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        paginated = self._is_list_view() and self._get_paginator() is not None
        for code in error_statuses(self.view, self.method, self.path, paginated):
            response: dict[str, Any] = {"description": DESCRIPTIONS.get(code, ""),
                                        "content": {MEDIA_TYPE: {"schema": problem}}}
            if code == 429:
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                       "description": "Seconds to wait."}}
            elif code == 401:
                response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            responses.setdefault(str(code), response)
        if any(p.get("in") == "query" for p in self._get_parameters()):
            responses.setdefault("414", {"description": DESCRIPTIONS[414],
                                         "content": {"text/html": {"schema": {"type": "string"}}}})
        return responses


def blank_strings_are_any_of(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: drf-spectacular writes a blank-allowed URL or email field as
    ``oneOf: [{format: uri}, {maxLength: 0}]``, which ``""`` matches twice (validators that do
    not check formats), so that ``oneOf`` is an ``anyOf``."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            choices = node.get("oneOf")
            if isinstance(choices, list) and {"type": "string", "maxLength": 0} in choices:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def product_info(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The schema's title, version and description name the product in force (``core.product``)."""
    from core import product

    current = product.current()
    info = result.setdefault("info", {})
    info["title"] = current.api_title
    info["version"] = current.version
    info["description"] = (f"The REST API of {current.name}. "
                           "Authenticate with `Authorization: Bearer <token>`.")
    return result
