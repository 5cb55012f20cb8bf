"""Rate limits for token-authenticated API requests: per token and per organization.

Counters live in Django's default cache (Redis when ``REDIS_URL`` is set, so every process
shares them). A request over a limit answers 429 with ``Retry-After``. Requests signed in with a
browser session are not throttled here. The rates are read on every request, so tests and
operators can change them: ``ANNEAL_API_RATE_PER_TOKEN`` and ``ANNEAL_API_RATE_PER_ORGANIZATION``
(``<n>/second|minute|hour|day``; empty switches the limit off).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.models import ApiToken

KEY_PREFIX = "anneal:throttle"


class _TokenThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        return getattr(settings, self.setting, None) or None

    def subject(self, request: Any, view: Any) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        subject = self.subject(request, view)
        return None if subject is None else f"{KEY_PREFIX}:{self.scope}:{subject}"


class TokenRateThrottle(_TokenThrottle):
    """Each API token gets ``ANNEAL_API_RATE_PER_TOKEN`` requests."""

    scope = "token"
    setting = "ANNEAL_API_RATE_PER_TOKEN"

    def subject(self, request: Any, view: Any) -> str | None:
        return str(request.auth.pk)


class OrganizationRateThrottle(_TokenThrottle):
    """All tokens together get ``ANNEAL_API_RATE_PER_ORGANIZATION`` requests to one organization."""

    scope = "organization"
    setting = "ANNEAL_API_RATE_PER_ORGANIZATION"

    def subject(self, request: Any, view: Any) -> str | None:
        kwargs = getattr(view, "kwargs", {}) or {}
        slug = kwargs.get("organization_slug")
        if slug is None and "/organizations/" in request.path:
            slug = kwargs.get("slug")
        return str(slug).lower() if slug else None
