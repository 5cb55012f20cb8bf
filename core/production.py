"""Checks that production mode (``ANNEAL_PRODUCTION=1``) makes while settings load.

Each refusal is an ``ImproperlyConfigured`` error that says what to set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TEST_HOSTS = {"testserver", "*"}


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def require_base_url(value: str) -> None:
    """Production needs the ``https://`` address people use: links in emails are built from it."""
    if not value.strip():
        raise ImproperlyConfigured(
            "ANNEAL_PRODUCTION is set but ANNEAL_BASE_URL is not. Set it to the https:// address "
            "people use to reach Anneal, for example ANNEAL_BASE_URL=https://anneal.example.com: "
            "links in emails and SSO metadata are built from it, never from a request's Host header."
        )
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname or parts.path.strip("/") or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"ANNEAL_BASE_URL={value!r} is not an https:// origin. In production set it to the https:// "
            "address of your TLS-terminating proxy with no path, for example https://anneal.example.com."
        )


def refuse_test_hosts(allowed_hosts: list[str]) -> None:
    found = sorted(TEST_HOSTS & set(allowed_hosts))
    if found:
        raise ImproperlyConfigured(
            f"ANNEAL_ALLOWED_HOSTS contains {', '.join(found)}, which production mode refuses. List the "
            "host names people and health checks use, for example anneal.example.com,localhost."
        )


def proxy_ssl_header(name: str) -> tuple[str, str]:
    """``X-Forwarded-Proto`` becomes Django's ``("HTTP_X_FORWARDED_PROTO", "https")``."""
    return "HTTP_" + name.strip().upper().replace("-", "_"), "https"
