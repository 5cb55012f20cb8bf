"""Maps the core's errors to API responses: hidden is 404, forbidden is 403, invalid is 400."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.access import NotAllowed, NotVisible
from core.services.errors import PolicyRefused, ServiceError


def error_body(detail: str, code: str, **fields: list[str]) -> dict[str, Any]:
    """The body of every API error Anneal builds itself: ``detail``, ``code``, and per-field messages.

    The one place that decides the shape, for this handler and for the hostile-input guard
    (``core.web.hostile_input``).
    """
    return {"detail": detail, "code": code, **fields}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotVisible):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, PolicyRefused):
        return Response(error_body(exc.message, exc.code), status=status.HTTP_403_FORBIDDEN)
    elif isinstance(exc, ServiceError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body(exc.message, exc.code, **fields), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        detail = response.data["detail"]  # DRF's own errors (401, 404, a parse error) get a code too
        response.data = error_body(str(detail), getattr(detail, "code", None) or "error")
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an API path that matches no route answers the API's JSON error, pages the usual page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("Not found.", "not_found"), status=404)
    return page_not_found(request, exception)
