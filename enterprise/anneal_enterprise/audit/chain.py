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
from typing import Any, Callable, Iterable, Literal, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from anneal_enterprise.audit.canonical import GENESIS, chain_hash, checkpoint_message, leaf_hash

OMITTED = object()
NO_LOWER_BOUND = -(2**63)
ProblemKind = Literal["changed", "removed", "inserted", "reordered", "checkpoint"]
Entry = tuple[int, Any, "str | None", "str | None"]


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    record_id: int | None
    message: str


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
            return (f"Intact: {scope}: {self.records} sealed records and {self.checkpoints} signed "
                    "checkpoints verified.")
        return f"TAMPERED: {scope}: {self.problem.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id, "intact": self.intact, "records": self.records,
            "checkpoints": self.checkpoints, "notes": self.notes,
            "problem": None if self.problem is None else {
                "kind": self.problem.kind, "record_id": self.problem.record_id, "message": self.problem.message,
            },
        }


def verify_checkpoints(checkpoints: Sequence[dict[str, Any]],
                       public_keys: dict[str, Ed25519PublicKey], previous: str = "") -> Problem | None:
    """Every signature checks out and each checkpoint names the one before it."""
    for checkpoint in checkpoints:
        key = public_keys.get(checkpoint["key_id"])
        where = f"checkpoint over records up to #{checkpoint['last_record_id']}"
        if key is None:
            return Problem("checkpoint", checkpoint["last_record_id"],
                           f"The {where} is signed with key {checkpoint['key_id']!r}, which is not among the "
                           "public keys given. Provide that public key (`anneal audit public-key`).")
        try:
            key.verify(base64.b64decode(checkpoint["signature"], validate=True), checkpoint_message(checkpoint))
        except (InvalidSignature, binascii.Error, ValueError):
            return Problem("checkpoint", checkpoint["last_record_id"],
                           f"The signature of the {where} is not valid: the checkpoint was altered or forged.")
        if checkpoint["previous_signature"] != previous:
            return Problem("checkpoint", checkpoint["last_record_id"],
                           f"The {where} does not follow the checkpoint before it: a checkpoint was removed, "
                           "inserted or reordered.")
        previous = checkpoint["signature"]
    return None


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
) -> Report:
    """Walk ``entries`` (id order) and compare them with the stored seals and checkpoints.

    ``checked_through``: records up to this id must all be sealed (defaults to the last
    checkpoint). ``start_after``/``start_chain``/``previous_signature``: where a partial chain
    (an export) begins. ``sealed_leaf_owner(leaf)`` returns the id of the record sealed with ``leaf``,
    to tell a reordered record from a changed one.
    """
    report = Report(organization_id, checkpoints=len(checkpoints))
    problem = verify_checkpoints(checkpoints, public_keys, previous_signature)
    if problem:
        report.problem = problem
        return report
    start, previous = start_after, start_chain
    heads: dict[int, str] = {}
    last_sealed = 0
    for checkpoint in checkpoints:
        if checkpoint["kind"] == "purge":
            if checkpoint["last_record_id"] >= start:  # an export may already start after it
                start, previous = checkpoint["last_record_id"], checkpoint["head"]
            heads = {k: v for k, v in heads.items() if k > start}
            report.notes.append(f"Records up to #{start} were removed by the retention purge (signed checkpoint).")
        else:
            heads[checkpoint["last_record_id"]] = checkpoint["head"]
        last_sealed = max(last_sealed, checkpoint["last_record_id"])
    limit = max(last_sealed, checked_through or 0)
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
        report.problem = Problem("removed", missing,
                                 f"Record #{missing} was removed: a signed checkpoint ends at it but it is gone.")
    return report
