"""Authenticator apps (TOTP, RFC 6238): enrollment with a QR code drawn here, and checking codes.

A code is accepted for its own 30-second step and one step either side (clock drift), and
only once: after a code of step *n* is accepted, codes of step *n* and earlier are refused.
"""

from __future__ import annotations

import hmac
import io
from urllib.parse import quote

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.mfa import clock, events, notifications
from core.models import TotpAuthenticator, User
from core.services.errors import ServiceError

STEP = 30
DIGITS = 6
DRIFT_STEPS = 1
ISSUER = "Anneal"


def _issuer() -> str:
    return getattr(settings, "ANNEAL_MFA_ISSUER", "") or ISSUER


def confirmed(user: User) -> TotpAuthenticator | None:
    return TotpAuthenticator.objects.filter(user=user, confirmed_at__isnull=False).first()


def is_enrolled(user: User) -> bool:
    return TotpAuthenticator.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_enrollment(user: User) -> TotpAuthenticator:
    """A new secret waiting for its first code; replaces an earlier unconfirmed one."""
    if is_enrolled(user):
        raise ServiceError("An authenticator app is already set up. Remove it first to set up another.",
                           code="already_enrolled")
    TotpAuthenticator.objects.filter(user=user, confirmed_at__isnull=True).delete()
    return TotpAuthenticator.objects.create(user=user, secret=pyotp.random_base32())


def pending(user: User) -> TotpAuthenticator | None:
    return TotpAuthenticator.objects.filter(user=user, confirmed_at__isnull=True).first()


def provisioning_uri(authenticator: TotpAuthenticator) -> str:
    return pyotp.TOTP(authenticator.secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=authenticator.user.email, issuer_name=_issuer())


def qr_svg(authenticator: TotpAuthenticator) -> str:
    """The provisioning URI as an inline SVG QR code, made on this server (no external service)."""
    buffer = io.BytesIO()
    segno.make(provisioning_uri(authenticator), error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title="QR code for your authenticator app")
    return buffer.getvalue().decode()


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).at(step * STEP)


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-")


def _matching_step(authenticator: TotpAuthenticator, code: str) -> int | None:
    code = _normalise(code)
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    current = int(clock.now() // STEP)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(authenticator.secret, step), code):
            return step
    return None


def _accept(authenticator: TotpAuthenticator, step: int) -> bool:
    # The filter makes the replay check and the update one statement: two requests racing with
    # the same code cannot both succeed.
    updated = TotpAuthenticator.objects.filter(pk=authenticator.pk, last_used_step__lt=step).update(
        last_used_step=step, last_used_at=timezone.now())
    return updated == 1


def confirm_enrollment(user: User, code: str) -> TotpAuthenticator:
    authenticator = pending(user)
    if authenticator is None:
        raise ServiceError("Start setting up an authenticator app first.", code="no_pending_enrollment")
    step = _matching_step(authenticator, code)
    if step is None:
        raise ServiceError("That code is not right. Enter the 6 digits your app shows now; check that the "
                           "time on your phone is set automatically.", code="invalid_code", field="code")
    with transaction.atomic():
        _accept(authenticator, step)
        authenticator.confirmed_at = timezone.now()
        authenticator.save(update_fields=["confirmed_at"])
        events.emit_factor("mfa.factor_added", user, "totp", "Authenticator app")
        notifications.factor_changed(user, "An authenticator app was set up")
    return authenticator


def verify(user: User, code: str) -> bool:
    """``True`` for a right code not used before; marks it used."""
    authenticator = confirmed(user)
    if authenticator is None:
        return False
    step = _matching_step(authenticator, code)
    return step is not None and _accept(authenticator, step)


def remove(user: User) -> bool:
    with transaction.atomic():
        deleted, _ = TotpAuthenticator.objects.filter(user=user, confirmed_at__isnull=False).delete()
        if deleted:
            events.emit_factor("mfa.factor_removed", user, "totp", "Authenticator app")
            notifications.factor_changed(user, "Your authenticator app was removed")
    return bool(deleted)


def quoted_secret(authenticator: TotpAuthenticator) -> str:
    """The secret in groups of four, for typing it into an app that cannot scan."""
    return " ".join(quote(authenticator.secret[i:i + 4]) for i in range(0, len(authenticator.secret), 4))
