"""The authentication backend recorded in sessions started by SSO."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class SsoBackend(ModelBackend):
    """Loads users of SSO sessions; it never checks a password (the identity provider did)."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None
