"""Installing and removing license keys. Every change is an event and bumps the license version."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anneal_enterprise.licensing import clock, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey, LicenseState
from anneal_enterprise.licensing.verify import VerifiedLicense, verify_installable
from core.events import Target, emit

SOURCES_FROM_ENVIRONMENT = (LicenseKey.Source.ENVIRONMENT, LicenseKey.Source.FILE)


def summary(verified: VerifiedLicense) -> dict[str, Any]:
    """What events and the API say about a license: its claims and signing key, never the key text."""
    return {**verified.claims.as_json(), "key_id": verified.key_id, "key_kind": verified.key_kind}


def _record_summary(record: LicenseKey) -> dict[str, Any]:
    return {**record.claims, "key_id": record.key_id, "key_kind": record.key_kind}


def _target(license_id: str, licensee: str) -> Target:
    return Target("license", license_id, licensee)


def _locked_state() -> LicenseState:
    LicenseState.objects.get_or_create(pk=1)
    return LicenseState.objects.select_for_update().get(pk=1)


def _bump(state: LicenseState) -> None:
    state.version += 1
    state.changed_at = clock.now()
    state.over_seats_reported = False
    state.save()
    transaction.on_commit(status.invalidate)


def _guard_environment(source: str) -> None:
    from anneal_enterprise.licensing.sources import environment_source

    configured = environment_source()
    if configured is not None and source not in SOURCES_FROM_ENVIRONMENT:
        raise LicenseRefused(
            "set_by_environment",
            f"The license is set by {configured}, which takes precedence over keys installed here. "
            f"Change or unset {configured}, then restart Anneal.",
        )


def refuse(refusal: LicenseRefused, source: str) -> None:
    """Record a refused key as an event (the current license stays in force)."""
    with transaction.atomic():
        emit("license.refused", target=Target("license", None, "refused key"),
             data={"code": refusal.code, "reason": refusal.message, "source": source})


def install(text: str | bytes, *, source: str, detail: str = "", user: Any = None) -> LicenseKey:
    """Verify ``text`` and make it the license in force.

    Raises :class:`LicenseRefused` (and records a ``license.refused`` event) when the key cannot be
    installed; the license already in force then stays in force. Installing the key already in
    force changes nothing.
    """
    try:
        _guard_environment(source)
        verified = verify_installable(text, clock.now())
    except LicenseRefused as refusal:
        refuse(refusal, source)
        raise
    key_text = text.decode("ascii") if isinstance(text, bytes) else text
    with transaction.atomic():
        state = _locked_state()
        previous = LicenseKey.objects.select_for_update().filter(is_active=True).first()
        if previous is not None and previous.digest == verified.digest:
            return previous
        now = clock.now()
        if previous is not None:
            LicenseKey.objects.filter(pk=previous.pk).update(is_active=False, removed_at=now)
        record = LicenseKey.objects.create(
            key=key_text.strip() + "\n", digest=verified.digest, license_id=verified.claims.license_id,
            licensee=verified.claims.licensee, key_id=verified.key_id, key_kind=verified.key_kind,
            claims=verified.claims.as_json(), source=source, source_detail=detail, installed_at=now,
            installed_by=user if getattr(user, "pk", None) else None,
        )
        _bump(state)
        data = {**summary(verified), "source": source}
        if previous is None:
            emit("license.installed", target=_target(record.license_id, record.licensee), data=data)
        else:
            emit("license.replaced", target=_target(record.license_id, record.licensee),
                 before=_record_summary(previous), after=summary(verified), data=data)
    status.invalidate()
    return record


def remove(*, source: str, user: Any = None) -> LicenseKey | None:
    """Remove the license in force; the instance returns to the free edition. Data is kept."""
    _guard_environment(source)
    with transaction.atomic():
        state = _locked_state()
        record = LicenseKey.objects.select_for_update().filter(is_active=True).first()
        if record is None:
            return None
        LicenseKey.objects.filter(pk=record.pk).update(is_active=False, removed_at=clock.now())
        _bump(state)
        emit("license.removed", target=_target(record.license_id, record.licensee),
             before=_record_summary(record), data={"source": source})
    status.invalidate()
    return record


def report_lifecycle() -> list[str]:
    """Emit ``license.expired`` and ``license.over_seats`` once each when they happen.

    Run periodically (see ``tasks.check_license``); safe to run in many processes at once.
    Returns the event types emitted.
    """
    from anneal_enterprise.licensing import seats

    snapshot = status.refresh()
    claims = snapshot.claims
    emitted: list[str] = []
    if claims is None:
        return emitted
    with transaction.atomic():
        state = _locked_state()
        if snapshot.stage() == "expired" and state.expired_reported != claims.license_id:
            state.expired_reported = claims.license_id
            emit("license.expired", target=_target(claims.license_id, claims.licensee),
                 data={"expires_at": claims.as_json()["expires_at"], "grace_days": claims.grace_days})
            emitted.append("license.expired")
        usage = seats.usage(snapshot)
        if usage.over and not state.over_seats_reported:
            state.over_seats_reported = True
            emit("license.over_seats", target=_target(claims.license_id, claims.licensee),
                 data={"in_use": usage.in_use, "seats": usage.seats, "limit": usage.limit})
            emitted.append("license.over_seats")
        elif not usage.over:
            state.over_seats_reported = False
        state.save()
    return emitted
