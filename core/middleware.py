"""Per-request context: request id, client address, feature cache, session policy."""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core import features
from core.events.context import RequestInfo, request_context
from core.plugins import hooks
from core.plugins.calling import has_implementations

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or the last entry of ``ANNEAL_CLIENT_IP_HEADER``.

    Behind a reverse proxy every connection comes from the proxy; the proxy appends the
    address it saw to ``X-Forwarded-For``, and only that last entry cannot be forged by a client.
    """
    header = settings.ANNEAL_CLIENT_IP_HEADER
    if header:
        last = request.headers.get(header, "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Gives every request an id (kept from ``X-Request-ID`` when well-formed) and a context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: building the headers mapping costs every request ~40 calls
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
        info = RequestInfo(
            request_id=request.request_id,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            request=request,
        )
        with request_context(info), features.request_cache():
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class SessionPolicyMiddleware:
    """Asks ``anneal_authentication_policy`` about each signed-in browser session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_implementations("anneal_authentication_policy"):
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session cookie, no signed-in session (API calls with a token): skip loading
            # request.user, which would cost every API request ~60 calls once a plugin
            # implements the policy (see docs/benchmarks.md).
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = hooks.authentication_policy(user, "session", request)
            if refusal is not None:
                logout(request)
                messages.error(request, refusal.reason)
                return HttpResponseRedirect(reverse("web:sign_in"))
        return self.get_response(request)
