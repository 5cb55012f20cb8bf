"""The HTTP side of SCIM: the bearer token, methods, JSON bodies, responses and ETags."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import SCIMException

from anneal_enterprise import entitlements
from anneal_enterprise.sso import events
from anneal_enterprise.sso.models import ScimToken, hash_scim_token
from anneal_enterprise.sso.scim.errors import CONTENT_TYPE, ScimError, from_library
from core.events import Actor, actor_context, emit
from core.models import Organization

logger = logging.getLogger(__name__)


@dataclass
class Call:
    """One authenticated SCIM request."""

    request: HttpRequest
    organization: Organization
    token: ScimToken
    body: dict[str, Any]


def token_actor(token: ScimToken) -> Actor:
    """The SCIM token, as the actor of every change it makes (``scim:<token prefix>``)."""
    return Actor(kind="scim", id=f"scim:{token.prefix}", display=f"scim:{token.prefix}… (SCIM token)",
                 token_id=token.pk)


def authenticate(request: HttpRequest) -> ScimToken:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ScimError(401, "Send the organization's SCIM token as `Authorization: Bearer <token>`.")
    token = ScimToken.objects.select_related("organization").filter(
        token_hash=hash_scim_token(value.strip()), revoked_at=None).first()
    if token is None:
        raise ScimError(401, "The SCIM token is invalid or revoked; create a new one under Settings → SSO.")
    if entitlements.state(entitlements.SSO, token.organization) != "enabled":
        raise ScimError(403, "SCIM provisioning needs an enterprise license with the SSO feature.")
    return token


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise ScimError(400, "The request body is not valid JSON.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    if _has_nul(body):
        raise ScimError(400, "The request body holds a NUL character, which no SCIM value may contain.", "invalidValue")
    return body


def respond(body: Any, status: int = 200, version: int | None = None, location: str | None = None) -> HttpResponse:
    response = HttpResponse(status=status) if body is None else HttpResponse(
        json.dumps(body), status=status, content_type=CONTENT_TYPE)
    if version is not None:
        response["ETag"] = etag(version)
    if location and status == 201:
        response["Location"] = location
    return response


def etag(version: int) -> str:
    return f'W/"{version}"'


def _listed(header: str) -> set[str]:
    return {part.strip() for part in header.split(",") if part.strip()}


def check_preconditions(request: HttpRequest, version: int) -> HttpResponse | None:
    """``If-Match`` on writes (412 when the resource changed), ``If-None-Match`` on reads (304)."""
    current = etag(version)
    if_match = request.headers.get("If-Match")
    if if_match and request.method != "GET":
        listed = _listed(if_match)
        if "*" not in listed and current not in listed and current.removeprefix("W/") not in listed:
            raise ScimError(412, f"The resource changed: its version is {current}. Read it again, then retry.")
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and request.method == "GET":
        listed = _listed(if_none_match)
        if "*" in listed or current in listed or current.removeprefix("W/") in listed:
            response = HttpResponse(status=304)
            response["ETag"] = current
            return response
    return None


def _record_refusal(token: ScimToken, request: HttpRequest, error: ScimError) -> None:
    """A refused change is worth an audit event: it may be somebody trying to take an account over."""
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and error.status in {403, 409}:
        with transaction.atomic(), actor_context(token_actor(token)):
            emit(events.SCIM_CHANGE_REFUSED, organization=token.organization,
                 data={"method": request.method, "path": request.path, "status": error.status, "detail": error.detail})


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A SCIM view: authenticated, limited to ``methods``, every failure a SCIM error."""

    def decorate(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            token = None
            try:
                token = authenticate(request)
                if request.method not in methods:
                    error = ScimError(405, f"{request.method} is not supported here; use {', '.join(methods)}.")
                    response = error.response()
                    response["Allow"] = ", ".join(methods)
                    return response
                body = parse_body(request) if request.method in {"POST", "PUT", "PATCH"} else {}
                with actor_context(token_actor(token)):
                    return handler(Call(request, token.organization, token, body), **kwargs)
            except (SCIMException, ValidationError) as exc:
                error = from_library(exc)
            except ScimError as exc:
                error = exc
            except IntegrityError:  # a concurrent request created the same userName, group or account
                error = ScimError(409, "A resource with the same unique value was created meanwhile; read it, then "
                                       "retry.", "uniqueness")
            except Exception:  # under the SCIM base URL even a bug answers with a SCIM error document
                logger.exception("SCIM request failed: %s %s", request.method, request.path)
                return ScimError(500, "The SCIM request failed on the server; the error is in the server's log.").response()
            if token is not None:
                _record_refusal(token, request, error)
            return error.response()

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return decorate
