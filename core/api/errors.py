"""Every API error as an RFC 9457 problem document (``application/problem+json``).

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "name: This field may not be blank.", "code": "invalid",
     "errors": [{"field": "name", "code": "blank", "detail": "This field may not be blank."}]}

``detail`` says what happened for a person; ``code`` is stable for programs; ``errors`` lists each
invalid field (``field`` is a dotted path such as ``items.0.name``, or ``null`` for an error of
the whole request). The core's errors map as: hidden is 404, forbidden is 403, invalid is 400.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import product
from core.access import NotAllowed, NotVisible
from core.services.errors import PolicyRefused, ServiceError

MEDIA_TYPE = "application/problem+json"
NON_FIELD_KEYS = frozenset({"non_field_errors", "detail"})


class Problem(exceptions.APIException):
    """Raise in a view to answer a problem document with this status, ``detail`` and ``code``."""

    def __init__(self, status: int, detail: str, code: str) -> None:
        self.status_code = status
        super().__init__(detail, code)


def problem(status: int, detail: str, code: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The problem document for ``status`` (``errors``: ``{"field", "code", "detail"}`` items)."""
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "code": code, "errors": errors or []}


def problem_response(status: int, detail: str, code: str, errors: list[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None) -> HttpResponse:
    """A plain Django response with a problem document, for code outside DRF views (middleware, 404s)."""
    return JsonResponse(problem(status, detail, code, errors), status=status, content_type=MEDIA_TYPE,
                        headers=headers)


def field_errors(details: Any, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Flattens DRF's nested ``get_full_details()`` into ``{"field", "code", "detail"}`` items."""
    if isinstance(details, dict) and set(details) == {"message", "code"}:
        yield {"field": prefix or None, "code": str(details["code"]), "detail": str(details["message"])}
    elif isinstance(details, dict):
        for key, value in details.items():
            name = "" if key in NON_FIELD_KEYS and not prefix else f"{prefix}.{key}" if prefix else str(key)
            yield from field_errors(value, name)
    elif isinstance(details, list):
        nested = any(isinstance(item, (dict, list)) and not _is_leaf(item) for item in details)
        for index, item in enumerate(details):
            yield from field_errors(item, f"{prefix}.{index}" if nested and prefix else prefix)


def _is_leaf(item: Any) -> bool:
    return isinstance(item, dict) and set(item) == {"message", "code"}


def _summary(errors: list[dict[str, Any]]) -> str:
    parts = [f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return " ".join(parts) + more if parts else "The request is invalid."


def _validation_problem(exc: exceptions.ValidationError) -> dict[str, Any]:
    errors = list(field_errors(exc.get_full_details()))
    whole = [e for e in errors if e["field"] is None]
    code = whole[0]["code"] if whole and len(errors) == 1 else "invalid"
    return problem(status.HTTP_400_BAD_REQUEST, _summary(errors), code, errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every error a view raises becomes a problem document."""
    if isinstance(exc, NotVisible):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, ServiceError):
        status_code = status.HTTP_403_FORBIDDEN if isinstance(exc, PolicyRefused) else status.HTTP_400_BAD_REQUEST
        errors = [{"field": exc.field, "code": exc.code, "detail": exc.message}] if exc.field else []
        return Response(problem(status_code, exc.message, exc.code, errors), status=status_code,
                        content_type=MEDIA_TYPE)
    response = drf_exception_handler(exc, context)  # headers (WWW-Authenticate, Retry-After), rollback
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_problem(exc)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or (exc.default_code if isinstance(exc, exceptions.APIException)
                                                 else "error")
        response.data = problem(response.status_code, str(detail) or HTTPStatus(response.status_code).phrase,
                                str(code))
    response.content_type = MEDIA_TYPE
    return response


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """The last route under ``/api/``: an unknown path answers a problem document, never the HTML page."""
    detail = f"No API operation at {request.path}."
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").func is not api_not_found:  # a real operation, not this catch-all
                detail += f" Did you mean {request.path}/ (with the trailing slash)?"
        except Resolver404:
            pass
    return problem_response(status.HTTP_404_NOT_FOUND, detail, "not_found")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a problem document under ``/api/``, the HTML page elsewhere."""
    if not request.path.startswith("/api/"):
        return _server_error_page()
    return problem_response(status.HTTP_500_INTERNAL_SERVER_ERROR,
                            "The server failed to answer; the error is logged.", "server_error")


def _server_error_page() -> HttpResponse:
    """The 500 page, named after the product; rendered without a request context (no database)."""
    try:
        html = loader.get_template("500.html").render({"product_name": product.current().name})
    except Exception:  # the page of last resort must not fail itself
        html = "<h1>Server Error (500)</h1>"
    return HttpResponse(html, status=500)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an ``Http404`` under ``/api/`` answers a problem document, pages the usual page."""
    if request.path.startswith("/api/"):
        return problem_response(status.HTTP_404_NOT_FOUND, "Not found.", "not_found")
    return defaults.page_not_found(request, exception)
