"""The core's second factor types and MFA rules, registered through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from core.mfa import enforcement, events, passkeys, recovery, totp
from core.plugins import EventType, FactorRequirement, SecondFactorType, hookimpl


def _totp_form(request: Any, user: Any) -> str:
    from core.web.mfa_forms import TotpCodeForm

    return str(TotpCodeForm())


def _recovery_form(request: Any, user: Any) -> str:
    from core.web.mfa_forms import RecoveryCodeForm

    return str(RecoveryCodeForm())


def _passkey_form(request: Any, user: Any) -> str:
    options = passkeys.authentication_options(request, user)
    return format_html(
        '<input type="hidden" name="credential" value="" data-passkey-credential>'
        '<p><button type="button" data-passkey-get="{}">Use a passkey or security key</button></p>'
        '<p class="form-error" data-passkey-error hidden></p>', options)


@hookimpl
def anneal_second_factor_types() -> list[SecondFactorType]:
    return [
        SecondFactorType("passkey", "Passkey or security key", passkeys.is_enrolled, _passkey_form,
                         lambda request, user: passkeys.verify_authentication(request, user,
                                                                              request.POST.get("credential", "")),
                         manage_url=reverse("web:security"), enroll_label="Add a passkey or security key",
                         phishing_resistant=True, order=10),
        SecondFactorType("totp", "Authenticator app", totp.is_enrolled, _totp_form,
                         lambda request, user: totp.verify(user, request.POST.get("code", "")),
                         manage_url=reverse("web:totp_setup"), enroll_label="Set up an authenticator app", order=20),
        SecondFactorType("recovery_code", "Recovery code", recovery.is_enrolled, _recovery_form,
                         lambda request, user: recovery.use(user, request.POST.get("recovery_code", "")),
                         manage_url=reverse("web:security"), backup=True, order=90),
    ]


@hookimpl
def anneal_mfa_requirements(user: Any) -> list[FactorRequirement]:
    return enforcement.core_requirements(user)


@hookimpl
def anneal_event_types() -> list[EventType]:
    return events.EVENT_TYPES


