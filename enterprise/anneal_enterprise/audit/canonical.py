"""The hashed form of an audit record, designed to be cheap to build.

In a Python hash chain, serialising the record costs far more than SHA-256 itself. So the
hashed form is not JSON of the whole record: it is the record's columns, in a fixed order,
each written as ``<length in UTF-8 bytes>:<text>`` and followed by the ASCII unit separator
(``0x1F``); a missing value (only ``organization_id`` can be missing) is the empty text. The
length prefix makes the form unambiguous: text cannot be moved from one column into the next
without changing the hash, whatever characters the columns contain. The variable part of an event (diff and data) is stored once, at capture time, as
canonical JSON text in ``details``, so it is hashed as stored and never re-serialised.
The record id is not part of the content hash (``leaf``): it enters through the chain, so a
record moved to another id is recognised as *reordered*, not merely *changed*.

This module imports nothing from Django: offline verification uses it as it is.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Sequence

GENESIS = "0" * 64

# Order of the hashed columns. Changing it changes every hash: never do it in place.
FIELDS: tuple[str, ...] = (
    "event_id", "organization_id", "occurred_at", "type",
    "actor_kind", "actor_id", "actor_display",
    "target_type", "target_id", "target_display",
    "details", "ip", "user_agent", "request_id",
)
OCCURRED_AT = FIELDS.index("occurred_at")
_NONE = ""
_sha256 = hashlib.sha256


def details_text(diff: dict[str, Any], data: dict[str, Any]) -> str:
    """Canonical JSON of an event's variable part (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps({"data": data, "diff": diff}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)


def timestamp_text(value: datetime | str) -> str:
    """``2026-11-30T01:53:36.123456+00:00``: always UTC, always microseconds."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def field_texts(values: Sequence[Any]) -> list[str]:
    """The hashed text of each column, from values in :data:`FIELDS` order.

    Text is hashed exactly as given (the readers already produce the canonical text, see
    :mod:`anneal_enterprise.audit.reading`); a ``datetime`` becomes :func:`timestamp_text`,
    other values ``str(value)``, and ``None`` the empty string. PostgreSQL computes the very
    same text and hash in SQL (:data:`anneal_enterprise.audit.reading.POSTGRES_LEAF`).
    """
    return [value if value.__class__ is str else _NONE if value is None
            else timestamp_text(value) if isinstance(value, datetime) else str(value) for value in values]


def hashed_bytes(values: Sequence[Any]) -> bytes:
    """The exact bytes that are hashed: ``<byte length>:<UTF-8 text>`` and 0x1F, for each column in order."""
    encoded = [text.encode() for text in field_texts(values)]
    return b"".join([b"%d:%s\x1f" % (len(data), data) for data in encoded])


def leaf_hash(values: Sequence[Any]) -> str:
    """SHA-256 of a record's content (its columns in :data:`FIELDS` order), as hex."""
    return _sha256(hashed_bytes(values)).hexdigest()


def chain_hash(previous: str, record_id: int, leaf: str) -> str:
    """The chain after ``record_id``: ``sha256("<previous>:<id>:<leaf>")`` as hex."""
    return _sha256(f"{previous}:{record_id}:{leaf}".encode()).hexdigest()


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_message(checkpoint: dict[str, Any]) -> bytes:
    """The exact bytes an Ed25519 checkpoint signature covers.

    Version 1 (checkpoints written before sequence numbers existed) signs
    :data:`CHECKPOINT_SIGNED_FIELDS`; version 2 adds the organization's sequence number, the
    hash of the checkpoint before it and, for a purge, the policy it was made under.
    """
    if checkpoint.get("version", 1) == 1:
        signed = {name: checkpoint[name] for name in CHECKPOINT_SIGNED_FIELDS}
        return b"anneal-audit-checkpoint/v1\n" + _canonical_json(signed)
    signed = {name: checkpoint[name] for name in CHECKPOINT_SIGNED_FIELDS + CHECKPOINT_V2_FIELDS}
    return b"anneal-audit-checkpoint/v2\n" + _canonical_json(signed)


def checkpoint_hash(checkpoint: dict[str, Any]) -> str:
    """SHA-256 (hex) of a checkpoint's signed message: what the next checkpoint and the instance heads name."""
    return _sha256(checkpoint_message(checkpoint)).hexdigest()


CHECKPOINT_SIGNED_FIELDS = (
    "organization_id", "kind", "first_record_id", "last_record_id", "record_count", "head",
    "previous_signature", "key_id", "created_at",
)
CHECKPOINT_V2_FIELDS = ("version", "sequence", "previous_hash", "retention_days", "cutoff", "newest_purged_at")

HeadEntry = tuple["int | None", int, str]  # (organization id, checkpoint sequence, checkpoint hash)


def organization_order(organization_id: int | None) -> tuple[bool, int]:
    """Instance-wide events (``None``) first, then organizations by id."""
    return (organization_id is not None, organization_id or 0)


def state_hash(entries: Sequence[HeadEntry]) -> str:
    """SHA-256 (hex) of every organization's newest checkpoint, as an instance head commits to it."""
    ordered = sorted(entries, key=lambda entry: organization_order(entry[0]))
    return _sha256(_canonical_json([list(entry) for entry in ordered])).hexdigest()


INSTANCE_HEAD_SIGNED_FIELDS = (
    "sequence", "previous_hash", "changed", "state_hash", "sealed_through", "key_id", "created_at",
)


def instance_head_message(head: dict[str, Any]) -> bytes:
    """The exact bytes an instance head's Ed25519 signature covers."""
    signed = {name: head[name] for name in INSTANCE_HEAD_SIGNED_FIELDS}
    return b"anneal-audit-instance-head/v1\n" + _canonical_json(signed)


def instance_head_hash(head: dict[str, Any]) -> str:
    return _sha256(instance_head_message(head)).hexdigest()
