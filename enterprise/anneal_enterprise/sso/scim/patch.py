"""Reading IdP request bodies: the dialect quirks, then PATCH through scim2-models (RFC 7644 §3.5.2)."""

from __future__ import annotations

from typing import Any

from scim2_models import Context, PatchOp, Resource

from anneal_enterprise.sso.scim.errors import ScimError
from anneal_enterprise.sso.scim.schema import ENTERPRISE_USER, POLICY, location

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
READ_ONLY = {"id", "meta", "groups"}  # RFC 7644 §3.5.1: read-only values sent in a request are ignored
_BOOLEAN_TEXT = {"true": True, "false": False}


def _boolean(value: Any) -> Any:
    """Entra ID sends booleans as the strings "True" and "False"."""
    return _BOOLEAN_TEXT.get(value.strip().lower(), value) if isinstance(value, str) else value


def _manager(value: Any) -> Any:
    """Entra ID sends the manager as a bare id, Okta as ``{"value": id}``; the model wants its ``$ref`` too."""
    if isinstance(value, str):
        value = {"value": value}
    if isinstance(value, dict) and value.get("value") and not value.get("$ref"):
        value = {**value, "$ref": location("Users", str(value["value"]))}
    return value


def _enterprise(extension: Any) -> Any:
    if isinstance(extension, dict) and "manager" in extension:
        extension = {**extension, "manager": _manager(extension["manager"])}
    return extension


def resource_body(body: dict[str, Any], resource_schema: str) -> dict[str, Any]:
    """A POST or PUT body as the models read it."""
    cleaned = {key: value for key, value in body.items() if key not in READ_ONLY and key != "password"}
    cleaned.setdefault("schemas", [resource_schema])
    if "active" in cleaned:
        cleaned["active"] = _boolean(cleaned["active"])
    if ENTERPRISE_USER in cleaned:
        cleaned[ENTERPRISE_USER] = _enterprise(cleaned[ENTERPRISE_USER])
        if ENTERPRISE_USER not in cleaned["schemas"]:
            cleaned["schemas"] = [*cleaned["schemas"], ENTERPRISE_USER]
    return cleaned


def _operation(operation: Any, resource_id: str) -> Any:
    if not isinstance(operation, dict):
        return operation
    operation = dict(operation)
    path, value = operation.get("path"), operation.get("value")
    if isinstance(path, str) and not path.strip():
        operation.pop("path")
        path = None
    if path is None and isinstance(value, dict):
        # Okta sends the group's own id (read-only) in a rename; a value equal to the current one changes nothing.
        value = {k: v for k, v in value.items() if not (k == "id" and str(v) == resource_id) and k not in {"meta", "schemas"}}
        if "active" in value:
            value["active"] = _boolean(value["active"])
        if ENTERPRISE_USER in value:
            value[ENTERPRISE_USER] = _enterprise(value[ENTERPRISE_USER])
        for key in [k for k in value if k.lower() == f"{ENTERPRISE_USER}:manager".lower()]:
            value[key] = _manager(value[key])
        operation["value"] = value
    elif isinstance(path, str):
        if isinstance(value, list):  # Entra ID sends members as {"$ref": null, "value": id}
            operation["value"] = [{k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item
                                  for item in value]
        if path.lower() == "active":
            operation["value"] = _boolean(value)
        elif path.lower().endswith(":manager") or path.lower() == "manager":
            operation["value"] = _manager(value)
    return operation


def apply(resource: Resource[Any], body: dict[str, Any]) -> bool:
    """Apply a PatchOp body to ``resource`` in place; the whole patch or nothing. True when it changed."""
    operations = body.get("Operations")
    if PATCH_SCHEMA not in (body.get("schemas") or []) or not isinstance(operations, list) or not operations:
        raise ScimError(400, f"A PATCH body is a {PATCH_SCHEMA} message with a non-empty list of Operations.",
                        "invalidSyntax")
    resource_id = str(resource.id)
    payload = {"schemas": [PATCH_SCHEMA], "Operations": [_operation(o, resource_id) for o in operations]}
    patch = PatchOp[type(resource)].model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST,  # type: ignore[misc]
                                                   scim_policy=POLICY)
    return patch.patch(resource, scim_policy=POLICY)
