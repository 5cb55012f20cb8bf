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


def serving_base_url(addrport: str) -> str:
    """The base URL for a server bound to ``addrport`` (``ADDR:PORT``, ``:PORT`` or ``PORT``).

    An address that means "every interface" (``0.0.0.0``, ``[::]``) is not one a browser can open;
    links then use the loopback address of the same family.
    """
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        host, port = addrport, "8000"
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]", "::": "[::1]"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def adopt_serving_address(addrport: str) -> bool:
    """Use the address ``anneal run`` serves on as the base URL when ``ANNEAL_BASE_URL`` is not set.

    Returns whether it did. Called before the server starts, so its workers (forked from this
    process) and the in-process jobs build every link with it.
    """
    if settings.BASE_URL_SOURCE == "setting":
        return False
    derived = serving_base_url(addrport)
    if settings.CSRF_TRUSTED_ORIGINS == [settings.BASE_URL]:
        settings.CSRF_TRUSTED_ORIGINS = [derived]
    settings.BASE_URL = derived
    settings.BASE_URL_SOURCE = "serving address"
    return True


def base_url_note() -> str:
    """One sentence on where the base URL comes from, for pages that show links to copy elsewhere."""
    source = getattr(settings, "BASE_URL_SOURCE", "setting")
    if source == "setting":
        return f"Links use {settings.BASE_URL}, set by ANNEAL_BASE_URL."
    origin = ("the address this server was started on (anneal run)" if source == "serving address"
              else "the built-in default")
    return (f"ANNEAL_BASE_URL is not set: links use {settings.BASE_URL}, {origin}. If people reach Anneal at "
            "another address, set ANNEAL_BASE_URL to it.")
