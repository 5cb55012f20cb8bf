"""The sign-in after the first factor: the second step, the session record, enforcement.

``after_first_factor`` runs once a password (or a passkey) proved who someone is. A person with
a second factor gets only a pending sign-in (nobody is signed in yet) until
``verify_second_factor`` accepts one. The session then starts and records which factors were
used and when. If a requirement is in force that the person does not meet, the session can
reach only the enrollment pages (``core.mfa.middleware``).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats

from core.events import Target, emit
from core.events.context import actor_for_user
from core.middleware import client_ip
from core.mfa import clock, enforcement, events, factors, session
from core.models import User
from core.plugins import SecondFactorType
from core.services import sign_in_throttle
from core.services.errors import ServiceError, SignInThrottled

WRONG_ANSWER = "That is not right, or it was already used. Try again with a new code."
EXPIRED = "The sign-in took too long or was already completed. Sign in again."


class Outcome(str, Enum):
    SIGNED_IN = "signed_in"
    SECOND_FACTOR = "second_factor"
    ENROLL = "enroll"


def after_first_factor(request: HttpRequest, user: User, first_factor: str = "password", next_url: str = "",
                       second_factor: str | None = None) -> Outcome:
    """Ask for a second factor when ``user`` has one, else start the session.

    ``second_factor`` names a first factor that also counts as the second (a passkey with user
    verification), so nothing more is asked.
    """
    if second_factor is None and factors.has_second_factor(user):
        session.begin_pending(request, user, next_url, first_factor)
        return Outcome.SECOND_FACTOR
    return _start_session(request, user, first_factor, second_factor)


def _start_session(request: HttpRequest, user: User, first_factor: str, second_factor: str | None,
                   first_at: float | None = None) -> Outcome:
    decision = enforcement.decide(user)
    now = clock.now()
    used = [{"type": first_factor, "at": first_at or now}]
    if second_factor is not None and second_factor != first_factor:
        used.append({"type": second_factor, "at": now})
    request.anneal_sign_in_factors = used  # type: ignore[attr-defined]  (read by the user_logged_in receiver)
    login(request, user, backend=getattr(user, "backend", None) or "django.contrib.auth.backends.ModelBackend")
    met = decision.is_met_by(user, second_factor)
    session.record(request, used, now if second_factor else None, enrollment_only=not met)
    for rule in decision.upcoming:
        if not enforcement.has_accepted_factor(rule, user):
            when = formats.date_format(rule.deadline, "DATETIME_FORMAT") if rule.deadline else ""
            messages.warning(request, f"{rule.reason} Set one up before {when} UTC on your security page.")
    return Outcome.SIGNED_IN if met else Outcome.ENROLL


def offered_types(user: User) -> list[SecondFactorType]:
    """The factors to offer at the second step: those the user has, preferring the accepted ones."""
    enrolled = factors.enrolled(user)
    decision = enforcement.decide(user)
    accepted = [t for t in enrolled if decision.accepts(t.id)]
    return accepted if any(not t.backup for t in accepted) else enrolled


def check_answer(request: HttpRequest, user: User, factor_id: str, purpose: str) -> SecondFactorType:
    """Verify one answer of ``user`` with factor ``factor_id``; counted as a sign-in failure when wrong."""
    address = client_ip(request)
    lock = sign_in_throttle.current_lock(user.email, address)
    if lock is not None:
        events.second_factor_failed(user, factor_id, f"throttled ({lock.scope})", purpose)
        raise SignInThrottled(lock.message)
    factor = next((t for t in factors.enrolled(user) if t.id == factor_id), None)
    if factor is not None and factor.verify(request, user):
        sign_in_throttle.record_success(user.email)
        events.second_factor_verified(user, factor.id, purpose)
        return factor
    reason = getattr(request, "anneal_mfa_failure", "") or ("wrong or reused answer" if factor else "not enrolled")
    events.second_factor_failed(user, factor_id[:40], reason, purpose)
    started = sign_in_throttle.record_failure(user.email, address)
    if started is not None:
        with transaction.atomic():
            emit("user.sign_in_throttled", target=Target("user", str(user.pk), user.email),
                 actor=actor_for_user(user),
                 data={"scope": started.scope, "seconds": started.seconds_left, "address": address,
                       "method": "second_factor"})
        raise SignInThrottled(started.message)
    raise ServiceError(WRONG_ANSWER, code="invalid_second_factor")


def verify_second_factor(request: HttpRequest, factor_id: str) -> tuple[Outcome, str]:
    """Finish a pending sign-in with one answer; returns the outcome and where to go next."""
    pending = session.pending(request)
    user = session.pending_user(request)
    if pending is None or user is None:
        session.clear_pending(request)
        raise ServiceError(EXPIRED, code="sign_in_expired")
    try:
        factor = check_answer(request, user, factor_id, "sign_in")
    except SignInThrottled:
        session.clear_pending(request)  # the password must be entered again once the lock ends
        raise
    session.clear_pending(request)
    outcome = _start_session(request, user, pending["first_factor"], factor.id, first_at=pending["at"])
    return outcome, pending.get("next", "")


def step_up(request: HttpRequest, factor_id: str) -> SecondFactorType:
    """Confirm a signed-in person with a second factor again, for a sensitive action."""
    factor = check_answer(request, request.user, factor_id, "step_up")
    session.record_second_factor(request, factor.id)
    if session.enrollment_only(request) and enforcement.decide(request.user).is_met_by(request.user, factor.id):
        session.set_enrollment_only(request, False)
    return factor


def recheck_enrollment(request: HttpRequest, added_factor: str) -> bool:
    """After someone added factor ``added_factor``: lift the enrollment-only state once the rules are met."""
    if not session.enrollment_only(request):
        return True
    user: Any = request.user
    if enforcement.decide(user).is_met_by(user, added_factor):
        session.set_enrollment_only(request, False)
        return True
    return False
