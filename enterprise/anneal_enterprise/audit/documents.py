"""Checkpoints and instance heads as the dicts that are signed, exported, streamed and compared."""

from __future__ import annotations

import json
from typing import Any

from anneal_enterprise.audit.canonical import checkpoint_hash, instance_head_hash, timestamp_text
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead

from anneal_enterprise.audit.heads import HEAD_FORMAT


def _moment(value: Any) -> str | None:
    return None if value is None else timestamp_text(value)


def checkpoint_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        "organization_id": checkpoint.organization_id, "version": checkpoint.version,
        "sequence": checkpoint.sequence, "previous_hash": checkpoint.previous_hash, "kind": checkpoint.kind,
        "first_record_id": checkpoint.first_record_id, "last_record_id": checkpoint.last_record_id,
        "record_count": checkpoint.record_count, "head": checkpoint.head,
        "previous_signature": checkpoint.previous_signature, "key_id": checkpoint.key_id,
        "created_at": timestamp_text(checkpoint.created_at), "signature": checkpoint.signature,
        "retention_days": checkpoint.retention_days, "cutoff": _moment(checkpoint.cutoff),
        "newest_purged_at": _moment(checkpoint.newest_purged_at),
    }


def head_dict(head: AuditInstanceHead) -> dict[str, Any]:
    return {
        "sequence": head.sequence, "previous_hash": head.previous_hash, "changed": json.loads(head.changed),
        "state_hash": head.state_hash, "sealed_through": head.sealed_through, "key_id": head.key_id,
        "created_at": timestamp_text(head.created_at), "signature": head.signature,
    }


def signed_head(organization_id: int | None) -> dict[str, Any]:
    """What an export or a streamed batch carries so that its holder can later prove truncation:
    the organization's newest signed checkpoint and the newest signed instance head."""
    checkpoint = AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("-id").first()
    head = AuditInstanceHead.objects.order_by("-sequence").first()
    return {
        "format": HEAD_FORMAT, "version": 1, "organization_id": organization_id,
        "checkpoint": checkpoint_dict(checkpoint) if checkpoint else None,
        "checkpoint_hash": checkpoint_hash(checkpoint_dict(checkpoint)) if checkpoint else None,
        "instance_head": head_dict(head) if head else None,
        "instance_head_hash": instance_head_hash(head_dict(head)) if head else None,
    }
