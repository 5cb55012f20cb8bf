"""Absolute URLs that Anneal sends out, built from ``ANNEAL_BASE_URL``.

Links in emails, in API answers and in SSO metadata leave the request that made them, so they
are never built from the request's ``Host`` header (``request.build_absolute_uri``): a client
that sends ``Host: evil.example`` would otherwise have a password-reset link point at its own
server. Plugins use these functions too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``ANNEAL_BASE_URL`` followed by ``path``, which must start with ``/``."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"absolute_url() takes a path that starts with one '/', not {path!r}")
    return settings.BASE_URL + path


def absolute_reverse(name: str, *args: object) -> str:
    """The absolute URL of the named URL pattern, as ``reverse(name, args=args)`` under the base URL."""
    return absolute_url(reverse(name, args=args))


def base_url_parts() -> tuple[str, str]:
    """The base URL's scheme and host (with port), e.g. ``("https", "anneal.example.com")``."""
    parts = urlsplit(settings.BASE_URL)
    return parts.scheme, parts.netloc
