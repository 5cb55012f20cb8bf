"""Daily usage snapshots, each hash-chained to the one before (counts only, never names).

The periodic job ``anneal_licensing.take_usage_snapshot`` (hourly) takes the snapshot of the
previous day (UTC) once that day is over: seats in use, organizations and projects (at the
moment it is taken), the licensed features holding data, every meter's total of that day, and
the license ids in force. Days on which the instance did not run have no snapshot; the chain
itself never has a hole (``sequence`` grows by one, ``previous_hash`` links), so a snapshot
removed later is detected.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from anneal_enterprise.licensing import clock, feature_use, quotas, seats, services, status
from anneal_enterprise.licensing.models import UsageSnapshot
from anneal_enterprise.licensing.usage.format import snapshot_hash


def counts(day: date) -> dict[str, Any]:
    from core import metering

    snapshot = status.current()
    return {
        "seats_in_use": seats.seats_in_use(),
        "organizations": quotas.count("organizations"),
        "projects": quotas.count("projects"),
        "features_used": feature_use.features_in_use(),
        "meters": metering.day_totals(day),
        "licenses": {product: entry.claims.license_id for product, entry in sorted(snapshot.licenses.items())
                     if entry.claims is not None},
    }


def take(day: date | None = None) -> UsageSnapshot | None:
    """Take the snapshot of ``day`` (yesterday, UTC) unless it exists or a later day was taken."""
    day = day or (clock.now().date() - timedelta(days=1))
    with transaction.atomic():
        services.locked_state()  # one snapshot at a time across processes
        last = UsageSnapshot.objects.order_by("-sequence").first()
        if last is not None and last.day >= day:
            return None
        document: dict[str, Any] = {
            "sequence": (last.sequence + 1) if last else 1,
            "day": day.isoformat(),
            "taken_at": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            **counts(day),
            "previous_hash": last.hash if last else None,
        }
        document["hash"] = snapshot_hash(document)
        return UsageSnapshot.objects.create(sequence=document["sequence"], day=day, document=document,
                                            hash=document["hash"])


def between(first: date, last: date) -> list[dict[str, Any]]:
    return [row.document for row in UsageSnapshot.objects.filter(day__gte=first, day__lte=last).order_by("sequence")]
