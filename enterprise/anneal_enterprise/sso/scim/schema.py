"""What the SCIM service serves: its resource models, its tolerance policy and its discovery documents."""

from __future__ import annotations

from typing import Any

import email_validator
from django.conf import settings
from django.urls import reverse
from scim2_models import (
    AuthenticationScheme, Bulk, ChangePassword, Context, EnterpriseUser, ETag, Filter, Group, Meta, Patch,
    ResourceType, Schema, ScimPolicy, ServiceProviderConfig, Sort, User,
)

# Accounts accept addresses at internal domains (corp.local, *.test), and so must SCIM's emails, which
# pydantic checks with email-validator; the other special-use names (localhost, invalid...) stay refused.
for _internal in ("local", "test"):
    if _internal in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_internal)

UserResource = User[EnterpriseUser]
GroupResource = Group
ENTERPRISE_USER = str(EnterpriseUser.__schema__)
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MAX_RESULTS = 200
DEFAULT_COUNT = 100

# What identity providers send that the RFC's strict reading refuses (docs/enterprise/sso.md, "Dialects").
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,  # Entra ID and Okta send attributes of their own
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,  # Entra ID: remove members by value
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,  # Entra ID: emails[type eq "work"].value
)


def base_url() -> str:
    return settings.BASE_URL.rstrip("/") + reverse("api-enterprise:scim_root").rstrip("/")


def location(endpoint: str, resource_id: str | None = None) -> str:
    return f"{base_url()}/{endpoint}" + (f"/{resource_id}" if resource_id else "")


def service_provider_config() -> dict[str, Any]:
    config = ServiceProviderConfig(
        documentation_uri="https://anneal.dev/docs/enterprise/sso#scim",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="OAuth Bearer Token", primary=True,
            description="A per-organization SCIM token, created under Settings → SSO → SCIM provisioning.")],
        meta=Meta(resource_type="ServiceProviderConfig", location=location("ServiceProviderConfig")),
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def resource_types() -> list[dict[str, Any]]:
    documents = []
    for model, endpoint in ((UserResource, "Users"), (GroupResource, "Groups")):
        resource_type = ResourceType.from_resource(model)
        resource_type.endpoint = f"/{endpoint}"
        resource_type.meta = Meta(resource_type="ResourceType", location=location("ResourceTypes", resource_type.id))
        documents.append(resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return documents


_SCHEMAS: list[Schema] = [model.to_schema() for model in (User, EnterpriseUser, Group)]  # built once


def schemas() -> list[dict[str, Any]]:
    documents = []
    for built in _SCHEMAS:
        schema = built.model_copy(deep=True)
        schema.meta = Meta(resource_type="Schema", location=location("Schemas", str(schema.id)))
        documents.append(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return documents


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start, "itemsPerPage": len(resources),
            "Resources": resources}
