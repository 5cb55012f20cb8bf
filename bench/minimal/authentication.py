"""Token authentication of the minimal application (its own module: DRF imports it from settings)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions

from bench.minimal.models import Token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``: one query for the token and its user."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer":
            return None
        digest = hashlib.sha256(header[1]).hexdigest()
        token = (Token.objects.select_related("user")
                 .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                         token_hash=digest, revoked_at__isnull=True, user__is_active=True)
                 .first())
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token
