"""The instance chain: signed heads over every organization's newest checkpoint.

An organization's checkpoints link to each other, so one removed in the middle breaks the
links; but removing the newest ones (or all of them) leaves a shorter chain that links
perfectly. Every sealing run and every purge therefore appends an *instance head* that names
the checkpoints it added (organization, sequence number, hash), commits to the newest
checkpoint of every organization (``state_hash``) and to how far sealing got, and links to
the head before it. The sealer's state row remembers the newest head's sequence number.

:func:`anchor` answers "what does the instance chain say each organization's newest
checkpoint is?". Normally the database's newest checkpoints hash to the newest head's
``state_hash`` and that is the answer at once; otherwise the heads are walked back to find
what each organization's newest checkpoint was, so verify can name the one that is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db.models import Count, Max, Min
from django.utils import timezone

from anneal_enterprise.audit import signing
from anneal_enterprise.audit.canonical import (checkpoint_hash, instance_head_hash, instance_head_message,
                                               organization_order, state_hash)
from anneal_enterprise.audit.chain import Problem, scope_name, signature_error
from anneal_enterprise.audit.documents import checkpoint_dict, head_dict
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead, AuditSeal, AuditSealState

Entries = dict["int | None", tuple[int, str]]  # organization -> (checkpoint sequence, checkpoint hash)


@dataclass
class Anchor:
    """What the instance chain expects, and what the database holds."""

    head: AuditInstanceHead | None
    entries: Entries
    newest: dict[int | None, dict[str, Any]] = field(default_factory=dict)  # the database's newest checkpoints
    problem: Problem | None = None  # about the instance as a whole
    matches: bool = True  # the database's newest checkpoints are exactly what the newest head signs

    def organizations(self) -> set[int | None]:
        return set(self.entries) | set(self.newest)


def newest_checkpoints() -> dict[int | None, dict[str, Any]]:
    ids = (AuditCheckpoint.objects.order_by().values("organization_id").annotate(newest=Max("id"))
           .values_list("newest", flat=True))
    return {c.organization_id: checkpoint_dict(c) for c in AuditCheckpoint.objects.filter(id__in=list(ids))}


def _entries_of(newest: dict[int | None, dict[str, Any]]) -> Entries:
    return {organization: (c["sequence"], checkpoint_hash(c)) for organization, c in newest.items()}


def _state(entries: Entries) -> str:
    return state_hash([(organization, sequence, digest) for organization, (sequence, digest) in entries.items()])


def _walk(latest: AuditInstanceHead) -> tuple[Entries, Problem | None]:
    """Each organization's newest checkpoint according to the heads, newest head first."""
    entries: Entries = {}
    problem: Problem | None = None
    expected_sequence, expected_hash = latest.sequence, None
    for head in AuditInstanceHead.objects.filter(sequence__lte=latest.sequence).order_by("-sequence").iterator(2000):
        document = head_dict(head)
        if problem is None and head.sequence != expected_sequence:
            problem = Problem("instance", None, f"Instance head {expected_sequence} is missing (head {head.sequence} "
                              f"comes before head {expected_sequence + 1}): instance heads were removed.")
        elif problem is None and expected_hash is not None and instance_head_hash(document) != expected_hash:
            problem = Problem("instance", None, f"Instance head {head.sequence} was altered: the head after it "
                              "names another hash.")
        for organization, sequence, digest in document["changed"]:
            entries.setdefault(organization, (sequence, digest))
        expected_sequence, expected_hash = head.sequence - 1, document["previous_hash"]
    if problem is None and expected_sequence > 0:
        problem = Problem("instance", None, f"Instance heads 1 to {expected_sequence} are missing: the instance "
                          "chain was cut at its start.")
    if problem is None and expected_hash:
        problem = Problem("instance", None, "The first instance head names a head before it: heads were removed.")
    if problem is None and _state(entries) != latest.state_hash:
        problem = Problem("instance", None, f"Instance head {latest.sequence} signs a state its heads do not add up to.")
    return entries, problem


def _state_problem(latest: AuditInstanceHead | None, newest: dict[int | None, dict[str, Any]],
                   public_keys: dict[str, Ed25519PublicKey] | None) -> Problem | None:
    """Compare the newest head with what the database says was sealed (the sealer's state, the seals)."""
    state = AuditSealState.objects.filter(id=1).first()
    sealed_through = state.sealed_through if state else 0
    head_sequence = state.head_sequence if state else 0
    highest_seal = AuditSeal.objects.aggregate(m=Max("record_id"))["m"] or 0
    if latest is None:
        if head_sequence or any(c["version"] >= 2 for c in newest.values()):
            return Problem("instance", None, "No instance head exists, but the sealer wrote some (its state says head "
                           f"{head_sequence}): the instance heads were removed.")
        return None
    if head_sequence > latest.sequence:
        return Problem("instance", None, f"Instance head {head_sequence} is missing: the sealer's state says it was "
                       f"written, but the newest head left is {latest.sequence}. The newest instance heads were removed.")
    if head_sequence < latest.sequence:
        return Problem("instance", None, f"The sealer's state names instance head {head_sequence}, but head "
                       f"{latest.sequence} exists: the state was moved back.")
    if sealed_through != latest.sealed_through:
        return Problem("instance", sealed_through, f"The sealer's state says records up to #{sealed_through} were "
                       f"sealed, but instance head {latest.sequence} signs #{latest.sealed_through}.")
    if highest_seal > sealed_through:
        return Problem("instance", highest_seal, f"Record #{highest_seal} is sealed, beyond what the sealer's state "
                       f"says was sealed (#{sealed_through}): the state was moved back.")
    error = signature_error(public_keys or signing.trusted_public_keys(), latest.key_id, latest.signature,
                            instance_head_message(head_dict(latest)))
    if error:
        return Problem("instance", None, f"Instance head {latest.sequence} {error}")
    return None


def anchor(*, walk: bool = False, check: bool = True,
           public_keys: dict[str, Ed25519PublicKey] | None = None) -> Anchor:
    """The instance chain's view of every organization's newest checkpoint.

    ``walk``: recompute every head's link even when the newest head matches the database.
    ``check``: also compare the newest head with the sealer's state and check its signature
    (with ``public_keys``, by default every key in the database).
    """
    latest = AuditInstanceHead.objects.order_by("-sequence").first()
    newest = newest_checkpoints()
    current = _entries_of(newest)
    result = Anchor(latest, current, newest, _state_problem(latest, newest, public_keys) if check else None)
    if latest is None:
        return result
    span = AuditInstanceHead.objects.aggregate(count=Count("id"), first=Min("sequence"))
    contiguous = span["count"] == latest.sequence and span["first"] == 1
    result.matches = contiguous and _state(current) == latest.state_hash
    if walk or not result.matches:
        result.entries, problem = _walk(latest)
        result.problem = result.problem or problem
    return result


def compare(organization_id: int | None, anchored: Anchor) -> Problem | None:
    """The organization's newest checkpoint in the database against the instance chain's."""
    scope = scope_name(organization_id)
    expected = anchored.entries.get(organization_id)
    newest = anchored.newest.get(organization_id)
    if expected is None:
        if newest is not None and anchored.head is not None:
            return Problem("checkpoint", newest["last_record_id"], f"Checkpoint {newest['sequence']} of {scope} is not "
                           "in the instance chain: it was inserted, or the newest instance heads were removed.",
                           newest["sequence"])
        return None
    sequence, digest = expected
    if newest is None:
        return Problem("truncated", None, f"Checkpoint {sequence} of {scope} is missing; the instance chain expected "
                       f"it. No checkpoint of {scope} is left: its whole audit trail was removed.", sequence)
    if newest["sequence"] < sequence:
        return Problem("truncated", newest["last_record_id"], f"Checkpoint {sequence} of {scope} is missing; the "
                       f"instance chain expected it. The newest left is checkpoint {newest['sequence']} (records up "
                       f"to #{newest['last_record_id']}): the newest records were removed with it.", sequence)
    if newest["sequence"] > sequence:
        return Problem("checkpoint", newest["last_record_id"], f"Checkpoint {newest['sequence']} of {scope} is not in "
                       "the instance chain: it was inserted, or the newest instance heads were removed.",
                       newest["sequence"])
    if checkpoint_hash(newest) != digest:
        return Problem("checkpoint", newest["last_record_id"], f"Checkpoint {sequence} of {scope} differs from the "
                       "one the instance chain recorded.", sequence)
    return None


def append_head(anchored: Anchor, written: Sequence[AuditCheckpoint], sealed_through: int) -> AuditInstanceHead:
    """Sign and store the next instance head; call inside the transaction holding the sealer's state row."""
    state, _ = AuditSealState.objects.select_for_update().get_or_create(id=1)
    entries = dict(anchored.entries)
    changed: Entries = {}
    for checkpoint in written:
        changed[checkpoint.organization_id] = (checkpoint.sequence, checkpoint_hash(checkpoint_dict(checkpoint)))
    entries.update(changed)
    if anchored.head is None:
        changed = entries  # the first head anchors everything sealed before it
    previous = anchored.head
    # After a gap the sequence continues from the state's, so the removed heads stay visibly missing.
    sequence = max(previous.sequence if previous else 0, state.head_sequence) + 1
    key_id, private_key = signing.current_key()
    head = AuditInstanceHead(
        sequence=sequence, previous_hash=instance_head_hash(head_dict(previous)) if previous else "",
        changed=json.dumps([[organization, number, digest] for organization, (number, digest)
                            in sorted(changed.items(), key=lambda item: organization_order(item[0]))],
                           separators=(",", ":")),
        state_hash=_state(entries), sealed_through=sealed_through, key_id=key_id, created_at=timezone.now(),
    )
    head.signature = signing.sign(private_key, instance_head_message(head_dict(head)))
    head.save()
    state.head_sequence = sequence
    state.save(update_fields=["head_sequence"])
    return head
