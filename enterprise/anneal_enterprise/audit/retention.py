"""Retention: per organization, purge whole sealed ranges older than the retention period.

Only whole checkpoint ranges go, oldest first, and only when every record in the range is
past the period. The purge is the one path the append-only triggers allow: it runs
``SET LOCAL anneal.audit_purge = 'on'`` in its own transaction, deletes the records and their
seals, and writes a signed *purge* checkpoint carrying the chain head at the purge boundary,
the retention period in force and the cutoff, plus an instance head naming it, so
``anneal audit verify`` continues the chain from there and checks the purge kept to the
policy. A delete done by hand (even through the same ``SET LOCAL``) leaves no such
checkpoint and is reported. Nothing is purged while the
license is lapsed (read-only): expiry never deletes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from anneal_enterprise.audit import access, instance, reading
from anneal_enterprise.audit.models import AuditCheckpoint, AuditPolicy, AuditRecord, AuditSealState
from anneal_enterprise.audit.sealing import write_checkpoint
from core.events import emit
from core.events.types import Target


class RetentionInvalid(ValueError):
    pass


@dataclass
class PurgeResult:
    organization_id: int
    records: int = 0
    through: int = 0


def set_retention(organization: Any, text: str) -> AuditPolicy:
    text = (text or "").strip()
    days: int | None = None
    if text:
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 36500:
            raise RetentionInvalid("Retention must be a whole number of days from 1 to 36500, or empty to keep forever.")
        days = int(text)
    with transaction.atomic():
        policy, _ = AuditPolicy.objects.select_for_update().get_or_create(organization_id=organization.pk)
        before = policy.retention_days
        policy.retention_days = days
        policy.save()
        emit("audit.retention.changed", organization=organization, target=Target("organization", str(organization.pk)),
             before={"retention_days": before}, after={"retention_days": days})
    return policy


def purgeable_through(organization_id: int, cutoff: datetime) -> tuple[int, int, str] | None:
    """``(first id, last id, head)`` of the longest run of sealed ranges entirely older than ``cutoff``."""
    checkpoints = list(AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("id"))
    purged = max((c.last_record_id for c in checkpoints if c.kind == "purge"), default=0)
    chosen: AuditCheckpoint | None = None
    for checkpoint in checkpoints:
        if checkpoint.kind != "seal" or checkpoint.last_record_id <= purged:
            continue
        newest = AuditRecord.objects.filter(organization_id=organization_id, id__gt=purged,
                                            id__lte=checkpoint.last_record_id).aggregate(m=Max("occurred_at"))["m"]
        if newest is None or newest >= cutoff:
            break
        chosen = checkpoint
    if chosen is None:
        return None
    first = (AuditRecord.objects.filter(organization_id=organization_id, id__gt=purged)
             .order_by("id").values_list("id", flat=True).first())
    return (first or chosen.first_record_id), chosen.last_record_id, chosen.head


def purge_organization(organization_id: int, cutoff: datetime, now: datetime | None = None) -> PurgeResult:
    """Purge the sealed ranges entirely older than ``cutoff``, leaving a signed purge checkpoint.

    The checkpoint records the retention period in force, the cutoff and the time of the purge
    (``now``), so verify can tell a purge the policy allowed from one it did not
    (:func:`chain.purge_problem`).
    """
    result = PurgeResult(organization_id)
    span = purgeable_through(organization_id, cutoff)
    if span is None:
        return result
    first, last, head = span
    with transaction.atomic():
        AuditSealState.objects.select_for_update().get_or_create(id=1)  # one writer of instance heads at a time
        anchored = instance.anchor(check=False)
        policy = AuditPolicy.objects.filter(organization_id=organization_id).first()
        newest = AuditRecord.objects.filter(organization_id=organization_id, id__lte=last).aggregate(
            m=Max("occurred_at"))["m"]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL anneal.audit_purge = 'on'")
            cursor.execute(f"DELETE FROM {reading.RECORDS} WHERE organization_id = %s AND id <= %s",
                           [organization_id, last])
            result.records = cursor.rowcount
            cursor.execute(f"DELETE FROM {reading.SEALS} WHERE organization_id = %s AND record_id <= %s",
                           [organization_id, last])
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL anneal.audit_purge = 'off'")
        checkpoint = write_checkpoint(organization_id, "purge", first, last, result.records, head, anchored,
                                      retention_days=policy.retention_days if policy else None, cutoff=cutoff,
                                      newest_purged_at=newest, created_at=now)
        instance.append_head(anchored, [checkpoint], sealed_through())
        result.through = last
        emit("audit.purged", organization=organization_id, target=Target("organization", str(organization_id)),
             data={"records": result.records, "through_record_id": last, "cutoff": cutoff.isoformat(),
                   "checkpoint": checkpoint.sequence})
    return result


def sealed_through() -> int:
    state = AuditSealState.objects.filter(id=1).first()
    return state.sealed_through if state else 0


def purge_expired(now: datetime | None = None) -> list[PurgeResult]:
    from core.models import Organization

    now = now or timezone.now()
    results = []
    for policy in AuditPolicy.objects.exclude(retention_days=None):
        if not access.can_configure(Organization(pk=policy.organization_id)):
            continue
        result = purge_organization(policy.organization_id, now - timedelta(days=policy.retention_days), now)
        if result.records:
            results.append(result)
    return results
