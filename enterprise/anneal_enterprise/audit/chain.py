"""Checking a chain of sealed records against signed checkpoints.

Shared by the database check (``anneal audit verify``) and the offline check of an export.
Entries arrive in id order as ``(id, values, leaf, chain)``: ``values`` is the record's
columns in :data:`canonical.FIELDS` order, or its leaf hash already computed by the database
(a ``str``), ``None`` when the record is missing, :data:`OMITTED` when an export left it out, ``leaf``/``chain`` are the stored seal (``None`` when
the record was never sealed). The first problem found is reported, with the record it concerns.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Literal, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from anneal_enterprise.audit.canonical import GENESIS, chain_hash, checkpoint_hash, checkpoint_message, leaf_hash
from core.wording import counted

OMITTED = object()
NO_LOWER_BOUND = -(2**63)
ProblemKind = Literal["changed", "removed", "inserted", "reordered", "checkpoint", "truncated", "purge", "instance"]
Entry = tuple[int, Any, "str | None", "str | None"]


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    record_id: int | None
    message: str
    checkpoint: int | None = None  # the sequence number of the checkpoint concerned


def scope_name(organization_id: int | None) -> str:
    return "the instance-wide events" if organization_id is None else f"organization {organization_id}"


@dataclass
class Report:
    organization_id: int | None
    records: int = 0
    checkpoints: int = 0
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        scope = "instance-wide events" if self.organization_id is None else f"organization {self.organization_id}"
        if self.problem is None:
            return (f"Intact: {scope}: {counted(self.records, 'sealed record')} and "
                    f"{counted(self.checkpoints, 'signed checkpoint')} verified.")
        return f"TAMPERED: {scope}: {self.problem.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id, "intact": self.intact, "records": self.records,
            "checkpoints": self.checkpoints, "notes": self.notes,
            "problem": None if self.problem is None else {
                "kind": self.problem.kind, "record_id": self.problem.record_id,
                "checkpoint": self.problem.checkpoint, "message": self.problem.message,
            },
        }


def signature_error(public_keys: dict[str, Ed25519PublicKey], key_id: str, signature: str,
                    message: bytes) -> str | None:
    """Why ``signature`` over ``message`` does not verify, or ``None`` when it does."""
    key = public_keys.get(key_id)
    if key is None:
        return (f"is signed with key {key_id!r}, which is not among the public keys given. Provide that public "
                "key (`anneal audit public-key`).")
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return "has a signature that is not valid: it was altered or forged."
    return None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def purge_problem(checkpoint: dict[str, Any]) -> str | None:
    """Why a signed purge was outside the retention policy it records, or ``None``."""
    days, cutoff = checkpoint.get("retention_days"), _moment(checkpoint.get("cutoff"))
    newest, made = _moment(checkpoint.get("newest_purged_at")), _moment(checkpoint["created_at"])
    if days is None or cutoff is None:
        return "was made without a retention policy in force: nothing may be purged then."
    assert made is not None
    allowed = made - timedelta(days=days)
    if cutoff > allowed:
        return (f"purged before {cutoff.isoformat()}, but its retention policy ({counted(days, 'day')}) allowed only records "
                f"older than {allowed.isoformat()}.")
    if newest is not None and newest >= cutoff:
        return f"removed a record from {newest.isoformat()}, newer than its own cutoff {cutoff.isoformat()}."
    return None


def verify_checkpoints(checkpoints: Sequence[dict[str, Any]],
                       public_keys: dict[str, Ed25519PublicKey], previous: str = "",
                       *, sequence: int | None = 1, previous_hash: str | None = "") -> Problem | None:
    """Every signature checks out, sequence numbers run on without a gap, each checkpoint names
    the one before it, and each purge keeps to the retention policy it records.

    ``sequence``/``previous_hash``: what the first checkpoint must carry (``None``: whatever it
    says, for an export that starts in the middle).
    """
    for checkpoint in checkpoints:
        number = checkpoint.get("sequence")
        scope = scope_name(checkpoint["organization_id"])
        where = (f"checkpoint {number} of {scope} (records up to #{checkpoint['last_record_id']})" if number
                 else f"checkpoint over records up to #{checkpoint['last_record_id']}")
        last = checkpoint["last_record_id"]
        if number is not None and sequence is not None and number != sequence:
            if number > sequence:
                follows = (f"checkpoint {number} follows checkpoint {sequence - 1}" if sequence > 1
                           else f"the checkpoints begin at {number}")
                return Problem("truncated", last, f"Checkpoint {sequence} of {scope} is missing ({follows}): "
                               "checkpoints were removed.", sequence)
            return Problem("checkpoint", last, f"Checkpoint {number} of {scope} appears twice or out of order.",
                           number)
        error = signature_error(public_keys, checkpoint["key_id"], checkpoint["signature"],
                                checkpoint_message(checkpoint))
        if error:
            return Problem("checkpoint", last, f"The {where} {error}", number)
        linked = checkpoint["previous_signature"] == previous
        if checkpoint.get("version", 1) >= 2 and previous_hash is not None:
            linked = linked and checkpoint["previous_hash"] == previous_hash
        if not linked:
            return Problem("checkpoint", last, f"The {where} does not follow the checkpoint before it: a checkpoint "
                           "was removed, inserted or reordered.", number)
        if checkpoint["kind"] == "purge" and checkpoint.get("version", 1) >= 2:
            error = purge_problem(checkpoint)
            if error:
                return Problem("purge", last, f"The purge {where} {error}", number)
        previous, previous_hash = checkpoint["signature"], checkpoint_hash(checkpoint)
        sequence = None if number is None else number + 1
    return None


@dataclass(frozen=True)
class Span:
    """The records a walk checks (``start < id <= limit``), the chain before the first of them,
    and the signed checkpoint heads it must meet on the way."""

    start: int
    start_chain: str
    at_boundary: bool  # the span starts at genesis or a signed purge, not at an export's cut
    limit: int
    heads: dict[int, str]
    notes: tuple[str, ...]


def chain_span(checkpoints: Sequence[dict[str, Any]], *, checked_through: int | None = None,
               start_after: int = NO_LOWER_BOUND, start_chain: str = GENESIS) -> Span:
    """Where :func:`verify_entries` begins and ends its walk, from the (verified) checkpoints."""
    start, previous = start_after, start_chain
    at_boundary = start_after == NO_LOWER_BOUND or start_chain == GENESIS
    heads: dict[int, str] = {}
    notes: list[str] = []
    last_sealed = 0
    for checkpoint in checkpoints:
        if checkpoint["kind"] == "purge":
            if checkpoint["last_record_id"] >= start:  # an export may already start after it
                start, previous = checkpoint["last_record_id"], checkpoint["head"]
                at_boundary = True
            heads = {k: v for k, v in heads.items() if k > start}
            notes.append(f"Records up to #{start} were removed by the retention purge (signed checkpoint).")
        else:
            heads[checkpoint["last_record_id"]] = checkpoint["head"]
        last_sealed = max(last_sealed, checkpoint["last_record_id"])
    return Span(start, previous, at_boundary, max(last_sealed, checked_through or 0), heads, tuple(notes))


def verify_entries(
    organization_id: int | None,
    entries: Iterable[Entry],
    checkpoints: Sequence[dict[str, Any]],
    public_keys: dict[str, Ed25519PublicKey],
    *,
    checked_through: int | None = None,
    sealed_leaf_owner: Callable[[str], int | None] = lambda leaf: None,
    start_after: int = NO_LOWER_BOUND,
    start_chain: str = GENESIS,
    previous_signature: str = "",
    first_sequence: int | None = 1,
    previous_hash: str | None = "",
    checkpoints_verified: bool = False,
) -> Report:
    """Walk ``entries`` (id order) and compare them with the stored seals and checkpoints.

    ``checked_through``: records up to this id must all be sealed (defaults to the last
    checkpoint). ``start_after``/``start_chain``/``previous_signature``: where a partial chain
    (an export) begins; ``first_sequence``/``previous_hash``: what its first checkpoint must
    carry (``None``: anything). ``sealed_leaf_owner(leaf)`` returns the id of the record sealed with ``leaf``,
    to tell a reordered record from a changed one.
    """
    report = Report(organization_id, checkpoints=len(checkpoints))
    problem = None if checkpoints_verified else verify_checkpoints(
        checkpoints, public_keys, previous_signature, sequence=first_sequence, previous_hash=previous_hash)
    if problem:
        report.problem = problem
        return report
    span = chain_span(checkpoints, checked_through=checked_through, start_after=start_after, start_chain=start_chain)
    report.notes.extend(span.notes)
    start, previous, at_boundary, limit = span.start, span.start_chain, span.at_boundary, span.limit
    heads = dict(span.heads)
    previous_id: int | None = start if start != NO_LOWER_BOUND else None
    for record_id, values, leaf, chain in entries:
        if record_id <= start or record_id > limit:
            continue
        if leaf is None:
            report.problem = Problem("inserted", record_id,
                                     f"Record #{record_id} was inserted: it lies inside the sealed range but "
                                     "was never sealed.")
            return report
        if values is None:
            report.problem = Problem("removed", record_id, f"Record #{record_id} was removed: its seal exists "
                                     "but the record does not.")
            return report
        if values is not OMITTED:
            computed = values if values.__class__ is str else leaf_hash(values)
            if computed != leaf:
                owner = sealed_leaf_owner(computed)
                if owner is not None and owner != record_id:
                    report.problem = Problem("reordered", record_id,
                                             f"Record #{record_id} was reordered: it holds the content that "
                                             f"was sealed as record #{owner}.")
                else:
                    report.problem = Problem("changed", record_id,
                                             f"Record #{record_id} was changed after it was sealed.")
                return report
        expected = chain_hash(previous, record_id, leaf)
        if chain != expected:
            if at_boundary and report.records == 0:
                purged = f" (after #{previous_id}, where the signed purge ended)" if previous_id else ""
                report.problem = Problem("purge", record_id,
                                         f"Records before #{record_id} are missing from the start of the chain{purged} "
                                         "and no signed purge checkpoint covers them: they were deleted outside "
                                         "the retention purge (or the first seal was altered).")
                return report
            after = f"#{previous_id}" if previous_id else "the start of the chain"
            report.problem = Problem("removed", record_id,
                                     f"The chain breaks before record #{record_id}: a record between {after} "
                                     f"and #{record_id} was removed (or its seal was altered).")
            return report
        previous, previous_id = chain, record_id
        report.records += 1
        head = heads.pop(record_id, None)
        if head is not None and head != chain:
            report.problem = Problem("checkpoint", record_id,
                                     f"The chain at record #{record_id} does not match its signed checkpoint.")
            return report
    if heads:
        missing = min(heads)
        if at_boundary and report.records == 0:
            purged = f" (after #{start}, where the signed purge ended)" if start != NO_LOWER_BOUND else ""
            report.problem = Problem("purge", missing, f"Records up to #{missing} are missing from the start of the "
                                     f"chain{purged} and no signed purge checkpoint covers them: they were deleted "
                                     "outside the retention purge.")
            return report
        report.problem = Problem("removed", missing,
                                 f"Record #{missing} was removed: a signed checkpoint ends at it but it is gone.")
    return report
