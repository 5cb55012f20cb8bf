"""Support access grants: create, redeem (one-time link), extend, revoke, expire.

The support engineer never acts as a customer user. Redeeming a grant creates a dedicated
service account (``is_service``, no password, no membership) that the grant names as its
principal; ``anneal_organization_role`` gives it a role in the organization only while the grant
is active, and every event it causes is attributed to ``Actor(kind="support", id="support:<name>")``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from anneal_enterprise import entitlements
from anneal_enterprise.support import conf
from anneal_enterprise.support.models import SupportGrant
from anneal_enterprise.support.notifications import notify_owners
from core.events import Actor, Target, actor_context, emit
from core.models import Organization, User
from core.services.errors import ServiceError

ENGINEER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,49}$")
SUPPORT_EMAIL_DOMAIN = "support.anneal.invalid"


class GrantRefused(ServiceError):
    """A support link that cannot be used, with the reason."""


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def grant_target(grant: SupportGrant) -> Target:
    return Target("support_grant", str(grant.pk), f"{grant.ticket or grant.reason[:40]} ({grant.get_scope_display()})")


def support_actor(grant: SupportGrant) -> Actor:
    return Actor(kind="support", id=grant.principal_name,
                 display=f"{grant.principal_name} (support grant {grant.pk})")


def _require_enabled(organization: Organization) -> None:
    if entitlements.state(entitlements.SUPPORT, organization) != "enabled":
        raise ServiceError("Support access needs an enterprise license with the support feature.",
                           code="feature_unavailable")


def _hours(value: Any, default: float) -> float:
    try:
        hours = float(value if value not in (None, "") else default)
    except (TypeError, ValueError):
        raise ServiceError("Enter the duration as a number of hours.", field="hours") from None
    if not 0 < hours <= conf.grant_hours_max():
        raise ServiceError(f"The duration must be more than 0 and at most {conf.grant_hours_max():g} hours.",
                           field="hours")
    return hours


def _snapshot(grant: SupportGrant) -> dict[str, Any]:
    return {"reason": grant.reason, "ticket": grant.ticket, "scope": grant.scope,
            "expires_at": grant.expires_at.isoformat(), "engineer": grant.engineer}


def create_grant(organization: Organization, by: User, reason: str, scope: str = "read_only",
                 hours: Any = None, ticket: str = "") -> tuple[SupportGrant, str]:
    """Create a grant; returns it and the one-time link token, which is never stored or shown again."""
    _require_enabled(organization)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why support needs access (a reason or ticket), so it is on record.", field="reason")
    if scope not in SupportGrant.Scope.values:
        raise ServiceError("The scope must be read_only or read_write.", field="scope")
    duration = _hours(hours, conf.grant_hours_default())
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        grant = SupportGrant.objects.create(
            organization=organization, created_by=by, reason=reason[:500], ticket=(ticket or "").strip()[:100],
            scope=scope, created_at=now, expires_at=now + timedelta(hours=duration), token_hash=hash_link_token(token),
        )
        emit("support.access_granted", organization=organization, target=grant_target(grant), after=_snapshot(grant))
    notify_owners(grant, "created", by=by.email)
    return grant, token


def grant_for_token(token: str) -> SupportGrant | None:
    return SupportGrant.objects.select_related("organization").filter(token_hash=hash_link_token(token or "")).first()


def check_usable(grant: SupportGrant | None, now: Any = None) -> SupportGrant:
    """Raise :class:`GrantRefused` saying why the link cannot be used."""
    if grant is None:
        raise GrantRefused("This support link is not valid. Ask the customer for a new one.", code="invalid")
    if grant.revoked_at:
        raise GrantRefused("This support access was revoked by the customer.", code="revoked")
    if not grant.is_active(now):
        raise GrantRefused("This support access has expired. Ask the customer to grant access again.", code="expired")
    if grant.redeemed_at:
        raise GrantRefused("This one-time support link was already used. Ask the customer for a new grant.",
                           code="used")
    if entitlements.state(entitlements.SUPPORT, grant.organization) != "enabled":
        raise GrantRefused("Support access is not available: the license has no support feature.",
                           code="feature_unavailable")
    return grant


def redeem(token: str, engineer: str) -> SupportGrant:
    """Use a one-time link: bind the engineer's name and a fresh support principal to the grant."""
    engineer = (engineer or "").strip().lower()
    if not ENGINEER_NAME.match(engineer):
        raise ServiceError("Enter your name as lowercase letters, digits, dots, dashes or underscores "
                           "(for example jane.doe).", field="engineer")
    refusal: GrantRefused | None = None
    with transaction.atomic():
        grant = grant_for_token(token)
        if grant is not None:
            grant = SupportGrant.objects.select_for_update().select_related("organization").get(pk=grant.pk)
        try:
            check_usable(grant)
        except GrantRefused as exc:
            refusal = exc
        else:
            assert grant is not None
            now = timezone.now()
            principal = User.objects.create_user(
                f"grant-{grant.pk}-{secrets.token_hex(4)}@{SUPPORT_EMAIL_DOMAIN}", None,
                name=f"support:{engineer}", is_service=True,
            )
            grant.engineer, grant.principal, grant.redeemed_at, grant.last_used_at = engineer, principal, now, now
            grant.save(update_fields=["engineer", "principal", "redeemed_at", "last_used_at"])
            with actor_context(support_actor(grant)):
                emit("support.access_used", organization=grant.organization, target=grant_target(grant),
                     data={"engineer": grant.principal_name, "scope": grant.scope})
    if refusal is not None:
        if grant is not None:
            with transaction.atomic():
                emit("support.access_refused", organization=grant.organization, target=grant_target(grant),
                     data={"reason": refusal.code, "engineer": f"support:{engineer}"},
                     actor=Actor(kind="support", id=f"support:{engineer}", display=f"support:{engineer}"))
        raise refusal
    assert grant is not None
    notify_owners(grant, "used")
    return grant


def extend(grant: SupportGrant, by: User, hours: Any = None) -> SupportGrant:
    _require_enabled(grant.organization)
    if not grant.is_active():
        raise ServiceError("This grant has already ended; create a new one instead.", code="ended")
    duration = _hours(hours, conf.grant_hours_default())
    before = _snapshot(grant)
    limit = timezone.now() + timedelta(hours=conf.grant_hours_max())
    grant.expires_at = min(grant.expires_at + timedelta(hours=duration), limit)
    grant.extended_count += 1
    with transaction.atomic():
        grant.save(update_fields=["expires_at", "extended_count"])
        emit("support.access_extended", organization=grant.organization_id, target=grant_target(grant),
             before=before, after=_snapshot(grant))
    notify_owners(grant, "extended", by=by.email)
    return grant


def revoke(grant: SupportGrant, by: User) -> SupportGrant:
    """Revoke at once; works in any license state so an owner can always shut support out."""
    if grant.revoked_at:
        return grant
    grant.revoked_at, grant.revoked_by = timezone.now(), by
    with transaction.atomic():
        grant.save(update_fields=["revoked_at", "revoked_by"])
        emit("support.access_revoked", organization=grant.organization_id, target=grant_target(grant),
             data={"engineer": grant.principal_name})
    notify_owners(grant, "revoked", by=by.email)
    return grant


def record_expiries(now: Any = None) -> int:
    """Emit ``support.access_expired`` and email owners once for each grant that ran out."""
    now = now or timezone.now()
    done = 0
    for grant in SupportGrant.objects.select_related("organization").filter(
        expires_at__lte=now, revoked_at__isnull=True, expiry_recorded_at__isnull=True
    ):
        with transaction.atomic():
            updated = SupportGrant.objects.filter(pk=grant.pk, expiry_recorded_at__isnull=True).update(
                expiry_recorded_at=now)
            if not updated:
                continue
            emit("support.access_expired", organization=grant.organization_id, target=grant_target(grant),
                 actor=Actor.system("support access expiry"), data={"engineer": grant.principal_name})
        notify_owners(grant, "expired")
        done += 1
    return done


def active_grant_for_principal(user: Any, now: Any = None) -> SupportGrant | None:
    """The grant a support principal acts under, if it is still active."""
    if user is None or not getattr(user, "is_service", False) or not getattr(user, "pk", None):
        return None
    grant = SupportGrant.objects.select_related("organization").filter(principal_id=user.pk).first()
    return grant if grant is not None and grant.is_active(now) else None


def is_support_principal(user: Any) -> bool:
    return bool(getattr(user, "is_service", False)) and str(getattr(user, "email", "")).endswith(
        "@" + SUPPORT_EMAIL_DOMAIN)
