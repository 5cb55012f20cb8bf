"""Signing in and out, changing and resetting a password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import product
from core.email_delivery import sender, subject_line
from core.models import User
from core.plugins import hooks
from core.services import sign_in_throttle, users
from core.mfa.sign_in import Outcome
from core.services.authentication import sign_in_with_password
from core.services.errors import ServiceError, SignInThrottled
from core.web.page_forms import SignInForm


def safe_next(request: HttpRequest) -> str:
    """The ``next`` URL when it is a path back into this site, else an empty string.

    Only a path (``/...``): ``redirect`` would try a bare word such as ``admin:index`` as a URL name.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return ""


def after_sign_in(outcome: Outcome, next_url: str) -> str:
    """Where a browser goes after its first factor: the second step, enrollment, or on."""
    if outcome is Outcome.SECOND_FACTOR:
        return reverse("web:sign_in_verify")
    if outcome is Outcome.ENROLL:
        return reverse("web:security")
    return next_url or reverse("web:organizations")


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "web:organizations")
    email = ""
    status = 200
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        try:
            outcome = sign_in_with_password(request, email, request.POST.get("password", ""), next_url)
        except SignInThrottled as exc:
            messages.error(request, exc.message)
            status = 429
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            return redirect(after_sign_in(outcome, next_url))
    return render(request, "anneal/sign_in.html", {
        "next": next_url, "form": SignInForm(initial={"email": email}), "methods": hooks.sign_in_methods(request),
    }, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:sign_in")


class _ThroughUserService:
    """Save the new password with ``core.services.users.set_password`` so it emits its event."""

    user: User
    cleaned_data: dict[str, Any]

    def save(self, commit: bool = True) -> User:
        users.set_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class ChangePasswordForm(_ThroughUserService, PasswordChangeForm):
    pass


class ResetPasswordForm(_ThroughUserService, SetPasswordForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "anneal/form_page.html"
    success_url = reverse_lazy("web:profile")
    extra_context = {"title": "Change password", "submit": "Change password"}

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session signed in
        messages.success(self.request, "Your password is changed. Other sessions are signed out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link built from ``ANNEAL_BASE_URL``, never from the request's Host header."""

    template_name = "anneal/form_page.html"
    email_template_name = "anneal/password_reset_email.txt"
    subject_template_name = "anneal/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")
    extra_context = {
        "title": "Reset your password", "submit": "Send reset link",
        "intro": "Enter the email address of your account and we will send you a link to choose a new password.",
    }

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        current = product.current()
        self.extra_email_context = {"base_url": settings.BASE_URL, "product": current,
                                    "subject_prefix": subject_line("").strip()}
        self.from_email = sender()
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "anneal/form_page.html"
    success_url = reverse_lazy("web:sign_in")
    extra_context = {"title": "Choose a new password", "submit": "Set password"}

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_throttle.lift_account_lock(form.user.email)  # the reset proved who they are
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "anneal/message.html", {
        "title": "Check your email",
        "message": "If an account uses that address, a link to choose a new password is on its way. "
                   "It works once and expires in a few days.",
    })
