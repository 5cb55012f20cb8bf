from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from core.events import Actor, Target, emit
from core.middleware import client_ip
from core.mfa.sign_in import Outcome, after_first_factor
from core.models import User
from core.plugins import hooks
from core.services import sign_in_throttle
from core.services.errors import PolicyRefused, ServiceError, SignInThrottled

WRONG_CREDENTIALS = "The email address or password is wrong."


def _failed(email: str, reason: str, user: User | None = None) -> None:
    with transaction.atomic():
        emit("user.sign_in_failed", target=Target("user", str(user.pk) if user else None, email),
             actor=Actor(kind="anonymous", display=email), data={"reason": reason, "method": "password"})


def _throttled(email: str, lock: sign_in_throttle.Lock, address: str | None) -> None:
    with transaction.atomic():
        emit("user.sign_in_throttled", target=Target("user", None, email),
             actor=Actor(kind="anonymous", display=email),
             data={"scope": lock.scope, "seconds": lock.seconds_left, "address": address, "method": "password"})


def sign_in_with_password(request: HttpRequest, email: str, password: str, next_url: str = "") -> Outcome:
    """Check the password unless too many sign-ins failed, ask the authentication policy, then go on to the
    second factor (``core.mfa.sign_in``): a session starts only once that is done."""
    email = (email or "").strip().lower()
    address = client_ip(request)
    lock = sign_in_throttle.current_lock(email, address)
    if lock is not None:
        _failed(email, f"throttled ({lock.scope})")
        raise SignInThrottled(lock.message)
    user = authenticate(request, username=email, password=password)
    if user is None:
        _failed(email, "wrong email or password")
        started = sign_in_throttle.record_failure(email, address)
        if started is not None:
            _throttled(email, started, address)
            raise SignInThrottled(started.message)
        raise ServiceError(WRONG_CREDENTIALS, code="invalid_credentials")
    sign_in_throttle.record_success(email)
    refusal = hooks.authentication_policy(user, "password", request)
    if refusal is not None:
        _failed(email, refusal.reason, user)
        raise PolicyRefused(refusal.reason, refusal.code)
    return after_first_factor(request, user, "password", next_url)
