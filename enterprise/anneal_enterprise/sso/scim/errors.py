"""SCIM error documents (RFC 7644 §3.12), for every error under the SCIM base URL."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from pydantic import ValidationError
from scim2_models import Error, SCIMException

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"


class ScimError(Exception):
    """A request refused with ``status`` and, where RFC 7644 Table 9 defines one, a ``scim_type``."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body

    def response(self) -> HttpResponse:
        response = HttpResponse(json.dumps(self.body()), status=self.status, content_type=CONTENT_TYPE)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
        return response


MAX_TEXT = 255  # userName, externalId and displayName are stored in columns of this length


def require_fits(**values: str) -> None:
    """Refuse (400 invalidValue) any of ``values`` (SCIM attribute name to text) longer than its column."""
    for attribute, value in values.items():
        if len(value) > MAX_TEXT:
            raise ScimError(400, f"{attribute} is longer than {MAX_TEXT} characters.", "invalidValue")


def scim_error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    """A SCIM error response (``application/scim+json``), for code outside this package that refuses a
    request under the SCIM base URL (for example a middleware refusing a malformed body)."""
    return ScimError(status, detail, scim_type).response()


def from_library(exc: Exception) -> ScimError:
    """The ``ScimError`` for a scim2-models exception or a pydantic validation error of a payload."""
    if isinstance(exc, SCIMException):
        error = exc.to_error()
    elif isinstance(exc, ValidationError):
        errors = Error.from_validation_errors(exc)
        error = errors[0] if errors else Error(status=400, detail=str(exc))
        if len(errors) > 1:
            error.detail = "; ".join(e.detail or "" for e in errors)
    else:  # pragma: no cover - only the two kinds above are passed
        raise TypeError(exc)
    return ScimError(int(error.status or 400), error.detail or "The request is not valid SCIM.", error.scim_type)
