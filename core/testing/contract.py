"""Checks API responses against the generated OpenAPI schema, for the test harness.

``ContractClient`` is a DRF ``APIClient`` whose every response under ``/api/v1/`` must have a
status code the schema documents for that operation and a body that matches it; otherwise the
request raises ``ContractViolation`` and fails the test that made it. The schema is generated and
parsed once per process. SCIM (its own RFC 7644 contract) is not checked; a DRF view that the
schema does not know fails, and an error from any path the schema does not know must be a 404
problem document.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from rest_framework.test import APIClient

SKIPPED = ("/scim/",)


class ContractViolation(AssertionError):
    """A response that the OpenAPI schema does not describe."""


@functools.cache
def openapi() -> Any:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer
    from openapi_core import OpenAPI
    from openapi_core.app import Config

    schema = SchemaGenerator().get_schema(request=None, public=True)
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(json.loads(OpenApiJsonRenderer().render(schema)), config=config)


def _request(django_request: Any) -> Any:
    from openapi_core.contrib.django import DjangoOpenAPIRequest

    class ByPath(DjangoOpenAPIRequest):
        path_pattern = None  # match the concrete path against the schema's templates

        @property
        def body(self) -> bytes:  # only responses are checked; a multipart body is consumed already
            return b""

    return ByPath(django_request)


def _response(django_response: Any) -> Any:
    from openapi_core.contrib.django import DjangoOpenAPIResponse

    return DjangoOpenAPIResponse(django_response)


def _describe(response: Any) -> str:
    request = response.wsgi_request
    body = b"<stream>" if getattr(response, "streaming", False) else response.content[:500]
    return f"{request.method} {request.get_full_path()} -> {response.status_code} {response.get('Content-Type')}: {body!r}"


def check_response(response: Any) -> None:
    """Raises ``ContractViolation`` unless the schema documents ``response`` (a test client response)."""
    from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
    from openapi_core.templating.responses.exceptions import ResponseNotFound

    request = response.wsgi_request
    if not request.path.startswith("/api/v1/") or any(part in request.path for part in SKIPPED):
        return
    try:
        if getattr(response, "streaming", False):
            _check_status_only(request, response)
        else:
            openapi().validate_response(_request(request), _response(response))
    except PathNotFound:
        if response.status_code == 404 and response.get("Content-Type", "").startswith("application/problem+json"):
            return
        if request.path == "/api/v1/" and response.status_code < 400:
            return  # the router's index of the API, not an operation
        view = getattr(getattr(response, "resolver_match", None), "func", None)
        if response.status_code < 400 and not hasattr(view, "cls"):
            return  # a plain Django view, which the schema generator cannot see
        raise ContractViolation(f"A path the schema does not document answered: {_describe(response)}")
    except OperationNotFound:
        if response.status_code != 405:
            raise ContractViolation(f"Undocumented method answered {response.status_code}: {_describe(response)}")
    except ResponseNotFound:
        raise ContractViolation(f"Undocumented status code: {_describe(response)}") from None
    except ContractViolation:
        raise
    except Exception as exc:  # openapi-core's validation errors carry the schema path in their causes
        causes = "; ".join(str(e) for e in getattr(exc, "schema_errors", []) or [getattr(exc, "__cause__", "")])
        raise ContractViolation(f"{type(exc).__name__}: {exc} {causes} in {_describe(response)}") from exc


def _check_status_only(request: Any, response: Any) -> None:
    """A streamed body is not read; its status code must still be documented."""
    result = openapi().response_validator._find_path(_request(request))  # noqa: SLF001 (no public finder)
    operation = result[1]
    if str(response.status_code) not in (operation / "responses").keys():
        raise ContractViolation(f"Undocumented status code: {_describe(response)}")


class ContractClient(APIClient):
    """An ``APIClient`` that fails on any response the OpenAPI schema does not document."""

    def request(self, **kwargs: Any) -> Any:
        response = super().request(**kwargs)
        check_response(response)
        return response


def invalid_fields(response: Any) -> set[str]:
    """The fields a 400 problem document names (``{"errors": [{"field": ...}]}``)."""
    return {error["field"] for error in response.json()["errors"] if error["field"]}
