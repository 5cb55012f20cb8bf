"""Exports of audit records to CSV or JSON Lines, written by a background job with progress.

A JSON Lines export can be verified offline (:mod:`anneal_enterprise.audit.offline`): it
holds each matching record's hashed columns with its seal, a stub (id, leaf, chain) for each
record of the same organization that the filters left out, and the signed checkpoints that
cover the range, so the chain can be recomputed without the database, and the *signed head*
(the organization's newest checkpoint and the newest instance head) so whoever keeps the
file can later prove the log was not cut back (``anneal audit verify --since-export``). CSV
is for people and spreadsheets and carries no proof.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anneal_enterprise.audit import reading, signing
from anneal_enterprise.audit.canonical import FIELDS, GENESIS, checkpoint_hash, timestamp_text
from anneal_enterprise.audit.models import AuditCheckpoint, AuditExport, AuditSeal
from anneal_enterprise.audit.presentation import record_json
from anneal_enterprise.audit.query import Filters, filtered, parse_filters
from anneal_enterprise.audit.documents import checkpoint_dict, signed_head
from core.events import emit
from core.events.types import Target

logger = logging.getLogger("anneal.audit")
PROGRESS_EVERY = 1000
FORMAT_NAME = "anneal-audit-export"


class ExportRefused(Exception):
    pass


def export_dir() -> Path:
    configured = getattr(settings, "ANNEAL_AUDIT_EXPORT_DIR", None)
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "audit-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: AuditExport) -> Path | None:
    return export_dir() / job.file_name if job.file_name else None


def request_export(organization: Any, user: Any, format: str, filters: Filters) -> AuditExport:
    """Queue an export; it runs in a worker after this transaction commits."""
    if format not in dict(AuditExport.FORMATS):
        raise ExportRefused(f"Unknown export format {format!r}: choose jsonl or csv.")
    from anneal_enterprise.audit import tasks

    with transaction.atomic():
        job = AuditExport.objects.create(organization_id=organization.pk, requested_by_id=getattr(user, "pk", None),
                                         format=format, filters=filters.as_params())
        emit("audit.export.requested", organization=organization, target=Target("audit_export", str(job.pk)),
             data={"format": format, "filters": filters.as_params()})
        transaction.on_commit(lambda: tasks.run_export.delay(job.pk))
    return job


def _matches(values: tuple[Any, ...], filters: Filters) -> bool:
    """The filters of :func:`query.filtered`, applied to one row of hashed columns."""
    row = dict(zip(FIELDS, values))
    when = row["occurred_at"]  # canonical text
    if filters.since and when < timestamp_text(filters.since):
        return False
    if filters.until and when > timestamp_text(filters.until):
        return False
    if filters.actor:
        if filters.actor.isdigit():
            if row["actor_id"] != filters.actor:
                return False
        elif not str(row["actor_display"]).lower().startswith(filters.actor.lower()):
            return False
    if filters.action:
        if filters.action.endswith(".*"):
            if not str(row["type"]).startswith(filters.action[:-1]):
                return False
        elif row["type"] != filters.action:
            return False
    if filters.target_type and row["target_type"] != filters.target_type:
        return False
    return not (filters.target_id and row["target_id"] != filters.target_id)


def write_jsonl(organization_id: int, filters: Filters, out: IO[str], progress: Any = None) -> int:
    """Write a verifiable export; returns the number of matching records written."""
    queryset = filtered(organization_id, filters)
    first = queryset.order_by("id").values_list("id", flat=True).first()
    last = queryset.order_by("-id").values_list("id", flat=True).first()
    checkpoints = list(AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("id"))
    written = 0
    covering: list[AuditCheckpoint] = []
    header: dict[str, Any] = {"start_after": 0, "start_chain": GENESIS, "previous_signature": "",
                              "previous_hash": "", "first_sequence": 1}
    if first is not None:
        sealed = [c for c in checkpoints if c.kind == "seal" and c.last_record_id >= first]
        # Extend to the end of the checkpoint that covers the last record, so it is signed.
        end = next((c.last_record_id for c in sealed if c.last_record_id >= last), last)
        needed = [c for c in sealed if c.first_record_id <= end]
        if needed:  # every checkpoint in between, purge checkpoints included, keeps the links
            covering = [c for c in checkpoints if needed[0].id <= c.id <= needed[-1].id]
            earlier = [c for c in checkpoints if c.id < needed[0].id]
            header["previous_signature"] = earlier[-1].signature if earlier else ""
            header["previous_hash"] = checkpoint_hash(checkpoint_dict(earlier[-1])) if earlier else ""
            header["first_sequence"] = covering[0].sequence
        before = (AuditSeal.objects.filter(organization_id=organization_id, record_id__lt=first)
                  .order_by("-record_id").values_list("record_id", "chain").first())
        purge = next((c for c in reversed(checkpoints) if c.kind == "purge" and c.last_record_id < first), None)
        if before is not None and (purge is None or before[0] > purge.last_record_id):
            header.update(start_after=before[0], start_chain=before[1])
        elif purge is not None:  # the records before the range were purged: continue from the purge
            header.update(start_after=purge.last_record_id, start_chain=purge.head)
    out.write(json.dumps({"format": FORMAT_NAME, "version": 1, "organization_id": organization_id,
                          "filters": filters.as_params(), "exported_at": timestamp_text(timezone.now()),
                          "fields": list(FIELDS), **header}) + "\n")
    if first is not None:
        with transaction.atomic():
            for record_id, values, leaf, chain in reading.records_with_seals(organization_id, first - 1):
                if record_id > end:
                    break
                if values is not None and _matches(values, filters):
                    record = dict(zip(FIELDS, values))  # exactly the hashed text
                    out.write(json.dumps({"id": record_id, "record": record, "leaf": leaf, "chain": chain},
                                         ensure_ascii=False) + "\n")
                    written += 1
                    if progress and written % PROGRESS_EVERY == 0:
                        progress(written)
                else:
                    out.write(json.dumps({"id": record_id, "omitted": True, "leaf": leaf, "chain": chain}) + "\n")
    for checkpoint in covering:
        out.write(json.dumps({"checkpoint": checkpoint_dict(checkpoint)}) + "\n")
    out.write(json.dumps({"signed_head": signed_head(organization_id)}) + "\n")
    out.write(json.dumps({"public_keys": signing.public_keys_pem(),
                          "note": "Verify with a public key you obtained separately, not only this one."}) + "\n")
    return written


CSV_COLUMNS = ["id", "event_id", "occurred_at", "action", "category", "severity", "actor_kind", "actor_id",
               "actor_display", "target_type", "target_id", "target_display", "diff", "data", "ip", "user_agent",
               "request_id"]


def write_csv(organization_id: int, filters: Filters, out: IO[str], progress: Any = None) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for record in filtered(organization_id, filters).order_by("id").iterator(chunk_size=2000):
        item = record_json(record)
        actor, target = item["actor"], item["target"] or {}
        writer.writerow([item["id"], item["event_id"], item["occurred_at"], item["action"], item["category"],
                         item["severity"], actor["kind"], actor["id"] or "", actor["display"], target.get("type", ""),
                         target.get("id") or "", target.get("display", ""),
                         json.dumps(item["diff"], ensure_ascii=False), json.dumps(item["data"], ensure_ascii=False),
                         item["ip"] or "", item["user_agent"], item["request_id"] or ""])
        written += 1
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    return written


def run_export(export_id: int) -> AuditExport:
    job = AuditExport.objects.get(pk=export_id)
    filters = parse_filters(job.filters)
    job.status = "running"
    job.total = filtered(job.organization_id, filters).count()
    job.file_name = f"audit-{job.organization_id}-{job.pk}.{job.format}"
    job.save(update_fields=["status", "total", "file_name"])

    def progress(done: int) -> None:
        AuditExport.objects.filter(pk=job.pk).update(done=done)

    path = file_path(job)
    assert path is not None
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = write_jsonl if job.format == "jsonl" else write_csv
            job.done = writer(job.organization_id, filters, out, progress)
        job.status = "done"
    except Exception as exc:  # the job reports the failure instead of vanishing
        logger.exception("Audit export %s failed", job.pk)
        job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "done", "error", "finished_at"])
    return job
