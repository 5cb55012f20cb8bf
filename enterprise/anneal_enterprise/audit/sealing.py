"""The sealer: hash chains in id order per organization, and signed checkpoints.

Sequences hand out ids in one order and transactions commit in another, so chaining inside
the request would leave holes. The sealer instead learns a *safe horizon*: it briefly locks the
record table in ``SHARE`` mode, which waits for every transaction holding the ``ROW EXCLUSIVE``
lock that PostgreSQL takes for an INSERT (before the row's id is drawn from the sequence) and
keeps until the transaction ends. Once it has the lock, no transaction is writing records, so
every id up to the current maximum is final: committed or never coming. The capture itself
takes no lock of its own (:mod:`anneal_enterprise.audit.capture`). The sealer releases the lock
at once and seals up to that id at leisure. If a long transaction keeps the table busy for
longer than ``ANNEAL_AUDIT_SEAL_LOCK_TIMEOUT`` (2 s), this run is skipped and the next one tries
again; captures wait at most that long. On SQLite writers are serialised, so the horizon is
simply the largest id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from anneal_enterprise.audit import instance, reading, signing
from anneal_enterprise.audit.canonical import (GENESIS, chain_hash, checkpoint_hash, checkpoint_message, leaf_hash,
                                               organization_order)
from anneal_enterprise.audit.documents import checkpoint_dict
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead, AuditRecord, AuditSealState

logger = logging.getLogger("anneal.audit")


class SealerBusy(Exception):
    """A long transaction held the capture lock; the next run will try again."""


@dataclass
class SealResult:
    records: int = 0
    checkpoints: list[int] = field(default_factory=list)
    sealed_through: int = 0
    skipped: str = ""


def safe_horizon() -> int:
    """The largest id below which no record can still appear."""
    if connection.vendor != "postgresql":
        return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    timeout = int(getattr(settings, "ANNEAL_AUDIT_SEAL_LOCK_TIMEOUT", 2) * 1000)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {timeout}")
            cursor.execute(f"LOCK TABLE {reading.RECORDS} IN SHARE MODE")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {reading.RECORDS}")
            return int(cursor.fetchone()[0])
    except OperationalError as exc:
        raise SealerBusy(f"A transaction kept writing audit records for over {timeout} ms.") from exc


def write_checkpoint(organization_id: int | None, kind: str, first: int, last: int, count: int,
                     head: str, anchor: instance.Anchor, created_at: datetime | None = None,
                     **purge: Any) -> AuditCheckpoint:
    """Sign and store a checkpoint that follows the organization's latest one.

    Its sequence number also follows what the instance chain (``anchor``) last recorded for
    the organization, so checkpoints removed from the end stay visible as a gap.
    """
    previous = AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("-id").first()
    anchored = anchor.entries.get(organization_id)
    sequence = max(previous.sequence if previous else 0, anchored[0] if anchored else 0) + 1
    key_id, private_key = signing.current_key()
    checkpoint = AuditCheckpoint(
        organization_id=organization_id, sequence=sequence,
        previous_hash=checkpoint_hash(checkpoint_dict(previous)) if previous else "",
        kind=kind, first_record_id=first, last_record_id=last,
        record_count=count, head=head, previous_signature=previous.signature if previous else "",
        key_id=key_id, created_at=created_at or timezone.now(), **purge,
    )
    checkpoint.signature = signing.sign(private_key, checkpoint_message(checkpoint_dict(checkpoint)))
    checkpoint.save()
    return checkpoint


def chain_head(organization_id: int | None) -> str:
    last = AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("-id").first()
    return last.head if last else GENESIS


def _insert_seals(rows: list[tuple[int, int | None, str, str]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs for large runs
            with cursor.cursor.copy(f"COPY {reading.SEALS} (record_id, organization_id, leaf, chain) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {reading.SEALS} (record_id, organization_id, leaf, chain) VALUES (%s, %s, %s, %s)", rows)


def _seal_organization(organization_id: int | None, after: int, through: int,
                       anchor: instance.Anchor) -> AuditCheckpoint | None:
    previous = chain_head(organization_id)
    first = last = 0
    count = 0
    batch: list[tuple[int, int | None, str, str]] = []
    for record_id, values in reading.records(organization_id, after, through, leaves=True):
        leaf = values if values.__class__ is str else leaf_hash(values)
        previous = chain_hash(previous, record_id, leaf)
        batch.append((record_id, organization_id, leaf, previous))
        first = first or record_id
        last = record_id
        count += 1
        if len(batch) >= 20000:
            _insert_seals(batch)
            batch = []
    if batch:
        _insert_seals(batch)
    if not count:
        return None
    return write_checkpoint(organization_id, "seal", first, last, count, previous, anchor)


def seal() -> SealResult:
    """Seal every record up to the safe horizon; one signed checkpoint per organization."""
    result = SealResult()
    try:
        horizon = safe_horizon()
    except SealerBusy as exc:
        logger.warning("Audit sealing skipped: %s", exc)
        result.skipped = str(exc)
        return result
    with transaction.atomic():
        state, _ = AuditSealState.objects.select_for_update().get_or_create(id=1)
        result.sealed_through = state.sealed_through
        if horizon <= state.sealed_through:
            if not AuditInstanceHead.objects.exists() and AuditCheckpoint.objects.exists():
                instance.append_head(instance.anchor(check=False), [], state.sealed_through)  # from before heads
            return result
        anchor = instance.anchor(check=False)
        if not anchor.matches:
            logger.error("Audit log: the newest checkpoints or instance heads in the database do not match the "
                         "newest signed instance head. Sealing continues without hiding the gap; run "
                         "`anneal audit verify` to see what was removed.")
        organizations = (AuditRecord.objects.filter(id__gt=state.sealed_through, id__lte=horizon)
                         .values_list("organization_id", flat=True).distinct().order_by())
        written = []
        for organization_id in sorted(set(organizations), key=organization_order):
            checkpoint = _seal_organization(organization_id, state.sealed_through, horizon, anchor)
            if checkpoint is not None:
                written.append(checkpoint)
                result.checkpoints.append(checkpoint.pk)
                result.records += checkpoint.record_count
        state.sealed_through = result.sealed_through = horizon
        state.last_run_at = timezone.now()
        state.save()
        instance.append_head(anchor, written, horizon)
    return result
