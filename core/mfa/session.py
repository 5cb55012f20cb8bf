"""What the session knows about how its person signed in.

``anneal_auth`` holds the factors used (each with its type and the time), and when a second
factor was last used (for step-up). Between a right password and the second factor the session
holds only ``anneal_mfa_pending``: nobody is signed in yet, so no page or API accepts it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from core.mfa import clock

AUTH_KEY = "anneal_auth"
PENDING_KEY = "anneal_mfa_pending"
#: How long someone may take between their password and their second factor.
PENDING_SECONDS = 300


def begin_pending(request: HttpRequest, user: Any, next_url: str, first_factor: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk, "backend": getattr(user, "backend", ""), "next": next_url,
        "first_factor": first_factor, "at": clock.now(), "auth_hash": user.get_session_auth_hash(),
    }


def pending(request: HttpRequest) -> dict[str, Any] | None:
    """The pending sign-in, if it is recent and its password is still the user's."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or clock.now() - data.get("at", 0) > PENDING_SECONDS:
        return None
    return data


def pending_user(request: HttpRequest) -> Any | None:
    data = pending(request)
    if data is None:
        return None
    user = get_user_model().objects.filter(pk=data["user_id"], is_active=True).first()
    if user is None or user.get_session_auth_hash() != data["auth_hash"]:
        return None
    user.backend = data["backend"]
    return user


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def record(request: HttpRequest, factors: list[dict[str, Any]], second_factor_at: float | None,
           enrollment_only: bool = False) -> None:
    request.session[AUTH_KEY] = {"factors": factors, "second_factor_at": second_factor_at,
                                 "enrollment_only": enrollment_only}


def _auth(request: HttpRequest) -> dict[str, Any]:
    session = getattr(request, "session", None)
    data = session.get(AUTH_KEY) if session is not None else None
    return data if isinstance(data, dict) else {}


def factors_used(request: HttpRequest) -> list[dict[str, Any]]:
    return list(_auth(request).get("factors", []))


def second_factor_at(request: HttpRequest) -> float | None:
    return _auth(request).get("second_factor_at")


def record_second_factor(request: HttpRequest, factor: str) -> None:
    data = _auth(request) or {"factors": [], "enrollment_only": False}
    now = clock.now()
    data["factors"] = [*data.get("factors", []), {"type": factor, "at": now}][-10:]
    data["second_factor_at"] = now
    request.session[AUTH_KEY] = data


def enrollment_only(request: HttpRequest) -> bool:
    return bool(_auth(request).get("enrollment_only"))


def set_enrollment_only(request: HttpRequest, value: bool) -> None:
    data = _auth(request)
    if data:
        data["enrollment_only"] = value
        request.session[AUTH_KEY] = data
