"""A SCIM client for the tests: the Django test client with an organization's bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

BASE = "/api/v1/plugins/enterprise/sso/scim/v2"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    def __init__(self, token: str, organization: Any = None) -> None:
        self.client = Client()
        self.token = token
        self.organization = organization
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             **params: Any) -> Any:
        kwargs: dict[str, Any] = dict(self.headers, **(headers or {}))
        if body is not None:
            kwargs.update(data=body if isinstance(body, (str, bytes)) else json.dumps(body),
                          content_type="application/scim+json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(BASE + path, **kwargs)

    def patch_ops(self, path: str, *operations: dict[str, Any]) -> Any:
        return self.call("patch", path, {"schemas": [PATCH], "Operations": list(operations)})


def new_user(scim: Scim, email: str = "gina@acme.test", **extra: Any) -> Any:
    return scim.call("post", "/Users", {
        "schemas": [USER], "userName": email,
        "name": {"givenName": "Gina", "familyName": "Grey"}, "emails": [{"value": email, "primary": True}],
        "active": True, "externalId": "okta-123", **extra})
