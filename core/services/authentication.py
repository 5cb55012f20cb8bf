from __future__ import annotations

from django.contrib.auth import authenticate, login
from django.db import transaction
from django.http import HttpRequest

from core.events import Actor, Target, emit
from core.models import User
from core.plugins import hooks
from core.services.errors import PolicyRefused, ServiceError

WRONG_CREDENTIALS = "The email address or password is wrong."


def _failed(email: str, reason: str, user: User | None = None) -> None:
    with transaction.atomic():
        emit("user.sign_in_failed", target=Target("user", str(user.pk) if user else None, email),
             actor=Actor(kind="anonymous", display=email), data={"reason": reason, "method": "password"})


def sign_in_with_password(request: HttpRequest, email: str, password: str) -> User:
    """Check the password, ask the authentication policy, and start a session."""
    email = (email or "").strip().lower()
    user = authenticate(request, username=email, password=password)
    if user is None:
        _failed(email, "wrong email or password")
        raise ServiceError(WRONG_CREDENTIALS, code="invalid_credentials")
    refusal = hooks.authentication_policy(user, "password", request)
    if refusal is not None:
        _failed(email, refusal.reason, user)
        raise PolicyRefused(refusal.reason, refusal.code)
    login(request, user)
    return user
