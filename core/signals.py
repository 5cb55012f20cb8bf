"""Sign-in and sign-out events, for every way of signing in (password, SSO, plugins)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from core.events import emit
from core.events.context import actor_for_user
from core.mfa import clock, session
from core.services.users import user_target


@receiver(user_logged_in, dispatch_uid="anneal.signed_in")
def _signed_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    with transaction.atomic():
        # A request may name its own actor (for example a vendor's support engineer acting
        # through a support grant), so the sign-in is attributed to them, not to a customer.
        actor = getattr(request, "anneal_actor", None) or actor_for_user(user)
        factors = getattr(request, "anneal_sign_in_factors", None)
        backend = getattr(user, "backend", "")
        if factors is None and request is not None and hasattr(request, "session"):
            # Signed in some other way (an identity provider, a support grant): no local factor was asked.
            factors = [{"type": "external", "backend": backend, "at": clock.now()}]
            session.record(request, factors, None)
        emit("user.signed_in", target=user_target(user), actor=actor,
             data={"backend": backend, "factors": [f["type"] for f in factors or []]})


@receiver(user_logged_out, dispatch_uid="anneal.signed_out")
def _signed_out(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        with transaction.atomic():
            actor = getattr(request, "anneal_actor", None) or actor_for_user(user)
            emit("user.signed_out", target=user_target(user), actor=actor)
