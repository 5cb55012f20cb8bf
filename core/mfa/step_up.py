"""Step-up: a sensitive action asks for a recent second factor again.

Recent means used within ``ANNEAL_MFA_STEP_UP_SECONDS`` (default 600) in this session, by the
session's own record: an old session cookie replayed later is asked again. People with no
second factor are not asked (there is nothing to ask for); requests authenticated with an API
token are not asked either.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.mfa import clock, factors, session
from core.services.errors import PolicyRefused

MESSAGE = "Confirm it is you with your second factor, then do it again."
CODE = "step_up_required"


class StepUpRequired(PolicyRefused):
    """A 403 in the API (code ``step_up_required``)."""

    def __init__(self) -> None:
        super().__init__("This action needs a recent second factor: confirm it is you at /sign-in/confirm/ "
                         "in the browser, then try again.", code=CODE)


def request_of(args: tuple[Any, ...]) -> HttpRequest:
    """The request among a view's arguments (a function view's first, a DRF method's second)."""
    for candidate in args[:2]:
        if hasattr(candidate, "method") and hasattr(candidate, "session"):
            return candidate
        inner = getattr(candidate, "request", None)
        if inner is not None and hasattr(inner, "method"):
            return inner
    raise TypeError("step_up_required decorates views: no request among the arguments.")


def is_recent(request: HttpRequest) -> bool:
    at = session.second_factor_at(request)
    return at is not None and 0 <= clock.now() - at <= int(settings.ANNEAL_MFA_STEP_UP_SECONDS)


def needs_step_up(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "auth_token", None) is not None:
        return False
    if getattr(request, "anneal_actor", None) is not None:
        return False  # acting through a support grant: that session is governed by the grant
    return factors.has_second_factor(user) and not is_recent(request)


def require(request: HttpRequest) -> None:
    """Raise :class:`StepUpRequired` when the action must wait for a step-up (for services and APIs)."""
    if needs_step_up(request):
        raise StepUpRequired()


def step_up_url(next_path: str) -> str:
    return f"{reverse('web:step_up')}?{urlencode({'next': next_path})}"


def step_up_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        from core.api.errors import problem_response

        return problem_response(403, StepUpRequired().message, CODE)
    messages.info(request, MESSAGE)
    referer = urlsplit(request.headers.get("Referer", ""))
    back = referer.path if referer.path and referer.netloc == request.get_host() else request.path
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = step_up_url(back)
        return response
    return redirect(step_up_url(back))
