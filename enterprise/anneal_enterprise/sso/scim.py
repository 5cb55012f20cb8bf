"""SCIM 2.0 endpoints (RFC 7644): Users and Groups with a per-organization bearer token.

Every change runs inside ``actor_context(Actor(kind="scim", ...))`` so that the core's own
events (``user.created``, ``membership.created``...) are attributed to the SCIM client.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from anneal_enterprise import entitlements
from anneal_enterprise.sso import events, scim_service
from anneal_enterprise.sso.models import ScimGroup, ScimToken, ScimUser, hash_scim_token
from anneal_enterprise.sso.scim_resources import (
    PATCH_SCHEMA, RESOURCE_TYPES, SCHEMAS, SERVICE_PROVIDER_CONFIG, ScimError, group_resource, list_response,
    parse_filter, user_resource,
)
from core.events import Actor, actor_context
from core.models import Membership, Organization, User

CONTENT_TYPE = "application/scim+json"


def respond(body: Any, status: int = 200) -> HttpResponse:
    if body is None:
        return HttpResponse(status=status)
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, safe=False)


def _authenticate(request: HttpRequest) -> tuple[Organization, ScimToken]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ScimError(401, "Send the organization's SCIM token as `Authorization: Bearer <token>`.")
    token = ScimToken.objects.select_related("organization").filter(
        token_hash=hash_scim_token(value.strip()), revoked_at=None).first()
    if token is None:
        raise ScimError(401, "The SCIM token is invalid or revoked; create a new one under Settings → SSO.")
    if entitlements.state(entitlements.SSO, token.organization) != "enabled":
        raise ScimError(403, "SCIM provisioning needs an enterprise license with the SSO feature.")
    return token.organization, token


def scim_view(handler: Callable[..., Any]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            organization, token = _authenticate(request)
            body = None
            if request.method in {"POST", "PUT", "PATCH"}:
                try:
                    body = json.loads(request.body or b"{}")
                except ValueError:
                    raise ScimError(400, "The request body is not valid JSON.", "invalidSyntax") from None
                if not isinstance(body, dict):
                    raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
            actor = Actor(kind="scim", id=f"scim:{token.prefix}", display=f"scim:{token.prefix}… (SCIM token)",
                          token_id=token.pk)
            with actor_context(actor):
                result, status = handler(request, organization, body, *args, **kwargs)
        except ScimError as exc:
            return respond(exc.body(), exc.status)
        return respond(result, status)

    view.__name__ = handler.__name__
    return view


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        start = max(int(request.GET.get("startIndex", 1)), 1)
        count = min(max(int(request.GET.get("count", 100)), 0), 200)
    except ValueError:
        raise ScimError(400, "startIndex and count are integers.", "invalidValue") from None
    return start, count


@scim_view
def service_provider_config(request: HttpRequest, organization: Organization, body: Any) -> tuple[Any, int]:
    return SERVICE_PROVIDER_CONFIG, 200


@scim_view
def resource_types(request: HttpRequest, organization: Organization, body: Any) -> tuple[Any, int]:
    return list_response(RESOURCE_TYPES, len(RESOURCE_TYPES), 1), 200


@scim_view
def schemas(request: HttpRequest, organization: Organization, body: Any) -> tuple[Any, int]:
    return list_response(SCHEMAS, len(SCHEMAS), 1), 200


def _user_changes(body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "userName" in body:
        changes["userName"] = str(body["userName"])
    name = body.get("name") if isinstance(body.get("name"), dict) else None
    if name is not None or "displayName" in body:
        formatted = (name or {}).get("formatted") or " ".join(
            p for p in [(name or {}).get("givenName", ""), (name or {}).get("familyName", "")] if p)
        changes["name"] = formatted or str(body.get("displayName") or "")
    if "externalId" in body:
        changes["externalId"] = str(body["externalId"] or "")
    if "active" in body:
        changes["active"] = _boolean(body["active"])
    return changes


def _boolean(value: Any) -> bool:
    if isinstance(value, str):  # Entra ID sends "False"
        return value.strip().lower() == "true"
    return bool(value)


def _scim_user(organization: Organization, user_id: str) -> tuple[User, ScimUser]:
    scim = ScimUser.objects.select_related("user").filter(
        organization=organization, user_id=int(user_id) if user_id.isdigit() else -1).first()
    if scim is None:  # members SCIM did not provision or link are not SCIM resources
        raise ScimError(404, f"User {user_id} not found.")
    return scim.user, scim


def _user_body(organization: Organization, user: User) -> dict[str, Any]:
    scim = ScimUser.objects.filter(organization=organization, user=user).first()
    active = scim_service.is_active_member(organization, user) and (scim is None or scim.active)
    return user_resource(user, scim, active)


@scim_view
def users(request: HttpRequest, organization: Organization, body: Any) -> tuple[Any, int]:
    if request.method == "POST":
        if not body.get("userName"):
            raise ScimError(400, "userName is required.", "invalidValue")
        changes = _user_changes(body)
        user = scim_service.create_user(organization, changes["userName"], changes.get("name", ""),
                                        changes.get("externalId", ""), changes.get("active", True))
        return _user_body(organization, user), 201
    if request.method != "GET":
        raise ScimError(405, "Use GET or POST on /Users.")
    scim_ids = ScimUser.objects.filter(organization=organization).values_list("user_id", flat=True)
    candidates = User.objects.filter(pk__in=scim_ids).order_by("pk")
    condition = parse_filter(request.GET.get("filter", ""), {"userName", "externalId"})
    if condition:
        attribute, value = condition
        if attribute.lower() == "username":
            candidates = candidates.filter(email=value.strip().lower())
        else:
            candidates = candidates.filter(pk__in=ScimUser.objects.filter(organization=organization, external_id=value)
                                           .values_list("user_id", flat=True))
    start, count = _page(request)
    total = candidates.count()
    page = list(candidates[start - 1:start - 1 + count])
    return list_response([_user_body(organization, u) for u in page], total, start), 200


def _apply_user_patch(operations: list[dict[str, Any]], user: User) -> dict[str, Any]:
    body: dict[str, Any] = {}
    given, _, family = (user.name or "").partition(" ")
    for operation in operations:
        op = str(operation.get("op", "")).lower()
        path, value = operation.get("path"), operation.get("value")
        if op not in {"add", "replace", "remove"}:
            raise ScimError(400, f"Unsupported PATCH op {operation.get('op')!r}.", "invalidSyntax")
        if op == "remove":
            if path in {"externalId", "displayName"}:
                body[path] = ""
            continue
        if not path:
            if not isinstance(value, dict):
                raise ScimError(400, "A PATCH without a path needs an object value.", "invalidValue")
            body.update(value)
        elif path in {"active", "userName", "externalId", "displayName"}:
            body[path] = value
        elif path.startswith("name."):
            body.setdefault("name", {"givenName": given, "familyName": family})[path.split(".", 1)[1]] = value
        elif path.startswith("emails"):
            continue  # the email address is the userName here
        else:
            raise ScimError(400, f"Unsupported PATCH path {path!r}.", "invalidPath")
    return body


@scim_view
def user_detail(request: HttpRequest, organization: Organization, body: Any, resource_id: str) -> tuple[Any, int]:
    user, scim = _scim_user(organization, resource_id)
    if request.method == "GET":
        return _user_body(organization, user), 200
    if request.method == "DELETE":
        scim_service.set_active(organization, user, scim, False)
        return None, 204
    if request.method == "PUT":
        changes = _user_changes(body)
        changes.setdefault("active", True)
    elif request.method == "PATCH":
        if PATCH_SCHEMA not in body.get("schemas", []) or not isinstance(body.get("Operations"), list):
            raise ScimError(400, "A PATCH body is a PatchOp with a list of Operations.", "invalidSyntax")
        changes = _user_changes(_apply_user_patch(body["Operations"], user))
    else:
        raise ScimError(405, "Use GET, PUT, PATCH or DELETE on a user.")
    scim_service.update_user(organization, user, scim, changes)
    user.refresh_from_db()
    return _user_body(organization, user), 200


@scim_view
def groups(request: HttpRequest, organization: Organization, body: Any) -> tuple[Any, int]:
    if request.method == "POST":
        if not body.get("displayName"):
            raise ScimError(400, "displayName is required.", "invalidValue")
        group = scim_service.save_group(organization, None, str(body["displayName"]), str(body.get("externalId") or ""),
                                        scim_service.members_of(organization, body.get("members", [])),
                                        events.SCIM_GROUP_CREATED)
        return group_resource(group), 201
    if request.method != "GET":
        raise ScimError(405, "Use GET or POST on /Groups.")
    queryset = ScimGroup.objects.filter(organization=organization).order_by("pk")
    condition = parse_filter(request.GET.get("filter", ""), {"displayName", "externalId"})
    if condition:
        attribute, value = condition
        queryset = queryset.filter(**({"display_name": value} if attribute.lower() == "displayname" else {"external_id": value}))
    start, count = _page(request)
    total = queryset.count()
    return list_response([group_resource(g) for g in queryset[start - 1:start - 1 + count]], total, start), 200


def _patched_members(organization: Organization, group: ScimGroup, operations: list[dict[str, Any]]) -> tuple[str, list[User]]:
    name = group.display_name
    members = {u.pk: u for u in group.members.all()}
    for operation in operations:
        op, path, value = str(operation.get("op", "")).lower(), operation.get("path") or "", operation.get("value")
        if op not in {"add", "replace", "remove"}:
            raise ScimError(400, f"Unsupported PATCH op {operation.get('op')!r}.", "invalidSyntax")
        if path == "displayName" or (not path and isinstance(value, dict) and "displayName" in value):
            name = str(value if path else value["displayName"])
            continue
        if path == "members" or (not path and isinstance(value, dict) and "members" in value):
            listed = scim_service.members_of(organization, value if path else value["members"])
            if op == "add":
                members.update({u.pk: u for u in listed})
            elif op == "replace":
                members = {u.pk: u for u in listed}
            else:
                for user in listed:
                    members.pop(user.pk, None)
                if not listed and not value:
                    members = {}
            continue
        if path.startswith("members[") and op == "remove":
            inner = path[len("members["):].rstrip("]")
            parsed = parse_filter(inner, {"value"})
            members.pop(int(parsed[1]) if parsed and parsed[1].isdigit() else -1, None)
            continue
        raise ScimError(400, f"Unsupported PATCH path {path!r}.", "invalidPath")
    return name, list(members.values())


@scim_view
def group_detail(request: HttpRequest, organization: Organization, body: Any, resource_id: str) -> tuple[Any, int]:
    group = ScimGroup.objects.filter(organization=organization, public_id=resource_id).first() \
        if len(resource_id) == 36 else None
    if group is None:
        raise ScimError(404, f"Group {resource_id} not found.")
    if request.method == "GET":
        return group_resource(group), 200
    if request.method == "DELETE":
        scim_service.delete_group(organization, group)
        return None, 204
    if request.method == "PUT":
        name = str(body.get("displayName") or group.display_name)
        members = scim_service.members_of(organization, body.get("members", []))
        external_id = str(body.get("externalId") or group.external_id)
    elif request.method == "PATCH":
        if PATCH_SCHEMA not in body.get("schemas", []) or not isinstance(body.get("Operations"), list):
            raise ScimError(400, "A PATCH body is a PatchOp with a list of Operations.", "invalidSyntax")
        name, members = _patched_members(organization, group, body["Operations"])
        external_id = group.external_id
    else:
        raise ScimError(405, "Use GET, PUT, PATCH or DELETE on a group.")
    group = scim_service.save_group(organization, group, name, external_id, members, events.SCIM_GROUP_UPDATED)
    return group_resource(group), 200


@csrf_exempt
def resource(request: HttpRequest, kind: str, resource_id: str) -> HttpResponse:
    if kind == "Users":
        return user_detail(request, resource_id=resource_id)
    if kind == "Groups":
        return group_detail(request, resource_id=resource_id)
    return respond(ScimError(404, f"Unknown resource type {kind!r}.").body(), 404)


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    return respond(ScimError(404, "Use /Users, /Groups, /ServiceProviderConfig, /Schemas or /ResourceTypes.").body(), 404)
