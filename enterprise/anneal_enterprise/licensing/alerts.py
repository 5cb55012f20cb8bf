"""Lifecycle events that happen with time rather than by an action: expiry and seat overage.

Run periodically (``tasks.check_license``); safe to run in many processes at once.
"""

from __future__ import annotations

from django.db import transaction

from anneal_enterprise.licensing import seats, services, status
from core.events import Target, emit


def report_lifecycle() -> list[str]:
    """Emit ``license.trial_ended``, ``license.expired`` and ``license.over_seats`` once each when they happen; returns the types emitted."""
    from anneal_enterprise.licensing import trial

    snapshot = status.refresh()
    claims = snapshot.claims
    emitted: list[str] = ["license.trial_ended"] if trial.report_end() else []
    if claims is None:
        return emitted
    target = Target("license", claims.license_id, claims.licensee)
    with transaction.atomic():
        state = services.locked_state()
        if snapshot.stage() == "expired" and state.expired_reported != claims.license_id:
            state.expired_reported = claims.license_id
            emit("license.expired", target=target,
                 data={"expires_at": claims.as_json()["expires_at"], "grace_days": claims.grace_days})
            emitted.append("license.expired")
        usage = seats.usage(snapshot)
        if usage.over and not state.over_seats_reported:
            state.over_seats_reported = True
            emit("license.over_seats", target=target,
                 data={"in_use": usage.in_use, "seats": usage.seats, "limit": usage.limit})
            emitted.append("license.over_seats")
        elif not usage.over:
            state.over_seats_reported = False
        state.save()
    return emitted
