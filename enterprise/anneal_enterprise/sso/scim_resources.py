"""SCIM 2.0 (RFC 7643) resource representations and filters."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.urls import reverse

from anneal_enterprise.sso.models import ScimGroup, ScimUser
from core.models import User

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

_FILTER = re.compile(r'^\s*(\w+(?:\.\w+)?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def parse_filter(expression: str, allowed: set[str]) -> tuple[str, str] | None:
    """``attribute eq "value"`` (the subset every IdP uses); anything else is a 400 invalidFilter."""
    if not expression:
        return None
    match = _FILTER.match(expression)
    if not match or match.group(1).lower() not in {a.lower() for a in allowed}:
        raise ScimError(400, f"Only filters of the form {' or '.join(sorted(allowed))} eq \"value\" are supported.",
                        "invalidFilter")
    return match.group(1), match.group(2).replace('\\"', '"')


def location(kind: str, resource_id: str) -> str:
    return settings.BASE_URL + reverse("api-enterprise:scim_resource", args=[kind, resource_id])


def user_resource(user: User, scim: ScimUser | None, active: bool) -> dict[str, Any]:
    given, _, family = (user.name or "").partition(" ")
    return {
        "schemas": [USER_SCHEMA], "id": str(user.pk), "externalId": scim.external_id if scim else "",
        "userName": user.email, "displayName": user.name or user.email,
        "name": {"givenName": given, "familyName": family, "formatted": user.name},
        "emails": [{"value": user.email, "primary": True, "type": "work"}],
        "active": active,
        "meta": {"resourceType": "User", "created": user.date_joined.isoformat(), "location": location("Users", str(user.pk))},
    }


def group_resource(group: ScimGroup) -> dict[str, Any]:
    return {
        "schemas": [GROUP_SCHEMA], "id": str(group.public_id), "externalId": group.external_id,
        "displayName": group.display_name,
        "members": [{"value": str(u.pk), "display": u.email} for u in group.members.all()],
        "meta": {"resourceType": "Group", "location": location("Groups", str(group.public_id))},
    }


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start, "itemsPerPage": len(resources),
            "Resources": resources}


SERVICE_PROVIDER_CONFIG = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True}, "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 200}, "changePassword": {"supported": False},
    "sort": {"supported": False}, "etag": {"supported": False},
    "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
                               "description": "A per-organization SCIM token from Settings → SSO.", "primary": True}],
}

RESOURCE_TYPES = [
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
     "endpoint": "/Users", "schema": USER_SCHEMA},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group",
     "endpoint": "/Groups", "schema": GROUP_SCHEMA},
]

SCHEMAS = [
    {"id": USER_SCHEMA, "name": "User", "description": "User account", "attributes": [
        {"name": n, "type": t, "multiValued": m, "required": r, "mutability": "readWrite", "returned": "default",
         "uniqueness": u, "caseExact": False} for n, t, m, r, u in [
            ("userName", "string", False, True, "server"), ("displayName", "string", False, False, "none"),
            ("active", "boolean", False, False, "none"), ("emails", "complex", True, False, "none"),
            ("name", "complex", False, False, "none"), ("externalId", "string", False, False, "none")]]},
    {"id": GROUP_SCHEMA, "name": "Group", "description": "Group", "attributes": [
        {"name": "displayName", "type": "string", "multiValued": False, "required": True, "mutability": "readWrite",
         "returned": "default", "uniqueness": "server", "caseExact": False},
        {"name": "members", "type": "complex", "multiValued": True, "required": False, "mutability": "readWrite",
         "returned": "default", "uniqueness": "none", "caseExact": False}]},
]
