"""Retiring an API operation within ``/api/v1/``: announce first, remove in a later release.

    @deprecated(since=date(2027, 1, 1), sunset=date(2027, 7, 1), instead="GET /api/v1/me/")
    def list(self, request): ...

The schema marks the operation ``deprecated: true`` with the replacement in its description, and
every response carries ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and a ``Link`` to the
API documentation, so clients notice without reading the changelog.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timezone
from typing import Any, Callable

from django.utils.http import http_date
from drf_spectacular.utils import extend_schema

POLICY_URL = "/api/docs/"


def deprecation_headers(since: date, sunset: date | None) -> dict[str, str]:
    def epoch(day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())

    headers = {"Deprecation": f"@{epoch(since)}", "Link": f'<{POLICY_URL}>; rel="deprecation"'}
    if sunset is not None:
        headers["Sunset"] = http_date(epoch(sunset))
    return headers


def deprecated(*, since: date, instead: str, sunset: date | None = None) -> Callable[[Callable[..., Any]], Any]:
    """Marks a view method deprecated in the schema and in the headers of every response."""
    headers = deprecation_headers(since, sunset)
    note = f"Deprecated since {since.isoformat()}: use {instead}." + (
        f" It is removed after {sunset.isoformat()}." if sunset else "")

    def decorate(method: Callable[..., Any]) -> Any:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            response = method(*args, **kwargs)
            for name, value in headers.items():
                response[name] = value
            return response

        return extend_schema(deprecated=True, description=note)(wrapper)

    return decorate
