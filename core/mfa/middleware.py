"""A session that must first set up a second factor reaches only the enrollment pages."""

from __future__ import annotations

from typing import Any, Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.mfa import session

#: URL names (in the ``web`` namespace) that an enrollment-only session may use.
ENROLLMENT_VIEWS = frozenset({
    "security", "totp_setup", "passkey_options", "passkey_register", "recovery_codes", "sign_out", "step_up",
})
MESSAGE = "Set up a second factor to continue: {reasons}"
API_MESSAGE = ("This session must set up a second factor before it can use the API: open your security page "
               "in the browser. API tokens are not affected.")


class EnrollmentRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # Enrollment-only is a state of a signed-in session: without a session cookie (API
            # calls with a token) there is none, and loading request.user would cost ~40 calls.
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not session.enrollment_only(request):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "web" and match.url_name in ENROLLMENT_VIEWS:
            return None
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization"):
                return None  # a token, not this session, authenticates the request
            from core.api.errors import problem_response

            return problem_response(403, API_MESSAGE, "mfa_enrollment_required")
        from core.mfa import enforcement

        reasons = " ".join(rule.reason for rule in enforcement.decide(user).in_force)
        messages.warning(request, MESSAGE.format(reasons=reasons or "it is required."))
        return redirect("web:security")
