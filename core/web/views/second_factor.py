"""The sign-in's second step, step-up confirmation, and signing in with a passkey."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.events import Actor, Target, emit
from core.mfa import factors, passkeys, session, sign_in
from core.models import User
from core.plugins import SecondFactorType, hooks
from core.services.errors import PolicyRefused, ServiceError, SignInThrottled
from core.web.views.auth import safe_next


def _choices(request: HttpRequest, user: User, types: list[SecondFactorType]) -> list[dict[str, object]]:
    # A factor type's form() returns HTML it built (format_html, a rendered Django form).
    return [{"type": t, "form": mark_safe(t.form(request, user))} for t in types]  # noqa: S308


def _after(request: HttpRequest, outcome: sign_in.Outcome, next_url: str) -> HttpResponse:
    if outcome is sign_in.Outcome.ENROLL:
        return redirect("web:security")
    return redirect(next_url or "web:organizations")


def verify(request: HttpRequest) -> HttpResponse:
    """Second step of a password sign-in: one of the person's factors."""
    user = session.pending_user(request)
    if user is None:
        session.clear_pending(request)
        if request.method == "POST":
            messages.error(request, sign_in.EXPIRED)
        return redirect("web:sign_in")
    status = 200
    if request.method == "POST":
        try:
            outcome, next_url = sign_in.verify_second_factor(request, request.POST.get("factor", ""))
        except SignInThrottled as exc:
            messages.error(request, exc.message)
            return redirect("web:sign_in")
        except ServiceError as exc:
            if exc.code == "sign_in_expired":
                messages.error(request, exc.message)
                return redirect("web:sign_in")
            messages.error(request, exc.message)
            status = 400
        else:
            return _after(request, outcome, next_url)
    response = render(request, "anneal/second_factor.html", {
        "title": "Confirm your sign-in", "action": "web:sign_in_verify",
        "intro": "Your password is right. Now use your second factor.",
        "choices": _choices(request, user, sign_in.offered_types(user)), "next": "",
    }, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def step_up(request: HttpRequest) -> HttpResponse:
    """Confirm it is you again, before a sensitive action."""
    next_url = safe_next(request)
    if not factors.has_second_factor(request.user):
        return redirect(next_url or "web:security")
    status = 200
    if request.method == "POST":
        try:
            sign_in.step_up(request, request.POST.get("factor", ""))
        except SignInThrottled as exc:
            messages.error(request, exc.message)
            status = 429
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, "Confirmed. You can go ahead.")
            return redirect(next_url or "web:security")
    return render(request, "anneal/second_factor.html", {
        "title": "Confirm it is you", "action": "web:step_up", "next": next_url,
        "intro": "This action needs a recent second factor.",
        "choices": _choices(request, request.user, factors.enrolled(request.user)),
    }, status=status)


@require_POST
def passkey_sign_in_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.authentication_options(request, None), content_type="application/json")


def _passkey_failed(reason: str, user: User | None = None) -> None:
    email = user.email if user is not None else ""
    with transaction.atomic():
        emit("user.sign_in_failed", target=Target("user", str(user.pk) if user is not None else None, email),
             actor=Actor(kind="anonymous", display=email or "anonymous"), data={"reason": reason, "method": "passkey"})


@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with a passkey alone: the authenticator verified the person, so it counts as both factors."""
    next_url = safe_next(request)
    try:
        passkey = passkeys.sign_in_with_passkey(request, request.POST.get("credential", ""))
        user = passkey.user
        if not user.is_active:
            raise ServiceError("This account is deactivated.", code="inactive")
        refusal = hooks.authentication_policy(user, "passkey", request)
        if refusal is not None:
            _passkey_failed(refusal.reason, user)
            raise PolicyRefused(refusal.reason, refusal.code)
    except PolicyRefused as exc:
        messages.error(request, exc.message)
        return redirect("web:sign_in")
    except ServiceError as exc:
        _passkey_failed(exc.message)
        messages.error(request, exc.message)
        return redirect("web:sign_in")
    user.backend = "django.contrib.auth.backends.ModelBackend"
    outcome = sign_in.after_first_factor(request, user, "passkey", next_url, second_factor="passkey")
    return _after(request, outcome, next_url)
