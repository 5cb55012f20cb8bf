from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.plugins import hooks
from core.services.tokens import authenticate_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer anl_…`` (or ``Token anl_…``) with a personal API token."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as `Authorization: Bearer <token>`.")
        token = authenticate_token(header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("The API token is invalid, expired or revoked.")
        refusal = hooks.authentication_policy(token.user, "token", request._request)
        if refusal is not None:
            raise exceptions.AuthenticationFailed(refusal.reason, code=refusal.code)
        request._request.auth_token = token
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (anl_…)."}
