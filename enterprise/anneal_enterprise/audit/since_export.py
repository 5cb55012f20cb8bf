"""``anneal audit verify --since-export FILE``: does the log still hold everything an earlier export proved?

The file is a JSON Lines export, a saved signed head, or a SIEM copy of streamed batches
(each batch's last event carries ``anneal_signed_head``). Each signed head names a checkpoint of
its organization and an instance head, both signed. The database must still hold both,
byte for byte, and its instance chain must continue from that head without a break; then
the organization is verified as usual, so records the export covered are either still there
or were removed by a signed purge that kept to the retention policy.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from anneal_enterprise.audit import instance, signing, verify
from anneal_enterprise.audit.canonical import checkpoint_hash, instance_head_hash
from anneal_enterprise.audit.chain import Problem, Report, scope_name
from anneal_enterprise.audit.documents import checkpoint_dict, head_dict
from anneal_enterprise.audit.heads import find_signed_head, signed_head_problem
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead


class NoSignedHead(Exception):
    pass


WHOLE_FILE_LIMIT = 10 * 1024 * 1024  # a saved head may be pretty-printed JSON; exports are read line by line


def _json_values(lines: Iterable[str]) -> Iterable[Any]:
    kept: list[str] = []
    size = 0
    found = False
    for line in lines:
        if size <= WHOLE_FILE_LIMIT:
            kept.append(line)
            size += len(line)
        if "signed_head" not in line:
            continue
        # A syslog message: header and structured data, then a byte order mark and the event as JSON.
        body = line.split("\ufeff", 1)[1] if "\ufeff" in line else line[line.find("{"):]
        try:
            value = json.loads(body)
        except json.JSONDecodeError:
            continue
        found = True
        yield value
    if not found and size <= WHOLE_FILE_LIMIT:
        try:
            yield json.loads("".join(kept))
        except json.JSONDecodeError:
            return


def signed_heads(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Every distinct signed head in the file's JSON values (and in their ``events``)."""
    if isinstance(lines, str):
        lines = lines.splitlines(keepends=True)
    found: dict[tuple[Any, Any], dict[str, Any]] = {}
    for value in _json_values(lines):
        candidates = [value]
        if isinstance(value, dict) and isinstance(value.get("events"), list):
            candidates += value["events"]
        for candidate in candidates:
            head = find_signed_head(candidate)
            if head is not None:
                found.setdefault((head.get("checkpoint_hash"), head.get("instance_head_hash")), head)
    if not found:
        raise NoSignedHead("The file holds no signed head: give a JSON Lines export, a saved signed head, or "
                           "streamed batches (their last event carries anneal_signed_head).")
    return list(found.values())


def _instance_problem(proved: dict[int, str]) -> Problem | None:
    """The database's instance chain holds every proved head (sequence -> hash) and runs on from the oldest."""
    sequence = min(proved)
    stored = AuditInstanceHead.objects.filter(sequence=sequence).first()
    if stored is None:
        return Problem("truncated", None, f"Instance head {sequence}, which the export proved, is missing: the "
                       "log was cut back to before the export.")
    expected = instance_head_hash(head_dict(stored))
    if expected != proved[sequence]:
        return Problem("instance", None, f"Instance head {sequence} differs from the one the export proved: the "
                       "instance chain was rewritten.")
    for head in AuditInstanceHead.objects.filter(sequence__gt=sequence).order_by("sequence").iterator(2000):
        if head.sequence != sequence + 1 or head.previous_hash != expected:
            return Problem("instance", None, f"The instance chain does not continue from head {sequence} (which the "
                           f"export proved) to head {head.sequence}: heads were removed or replaced.")
        sequence, expected = head.sequence, instance_head_hash(head_dict(head))
        if sequence in proved and proved[sequence] != expected:
            return Problem("instance", None, f"Instance head {sequence} differs from the one the export proved: the "
                           "instance chain was rewritten.")
    missing = [number for number in proved if number > sequence]
    if missing:
        return Problem("truncated", None, f"Instance head {min(missing)}, which the export proved, is missing: the "
                       "log was cut back to before the export.")
    return None


def _checkpoint_problem(organization_id: int | None, proved: dict[str, Any]) -> Problem | None:
    sequence, scope = proved["sequence"], scope_name(organization_id)
    stored = AuditCheckpoint.objects.filter(organization_id=organization_id, sequence=sequence).first()
    if stored is None:
        return Problem("truncated", proved["last_record_id"], f"Checkpoint {sequence} of {scope}, which the export "
                       f"proved (records up to #{proved['last_record_id']}), is missing.", sequence)
    if checkpoint_hash(checkpoint_dict(stored)) != checkpoint_hash(proved):
        return Problem("checkpoint", proved["last_record_id"], f"Checkpoint {sequence} of {scope} differs from the "
                       "one the export proved.", sequence)
    return None


def verify_since(heads: list[dict[str, Any]], public_keys: dict[str, Ed25519PublicKey] | None = None) -> list[Report]:
    """One report per organization the heads concern."""
    keys = public_keys or signing.trusted_public_keys()
    problems: dict[int | None, Problem] = {}
    genuine = []
    for head in heads:
        problem = signed_head_problem(head, keys)
        if problem is not None:
            problems.setdefault(head.get("organization_id"), problem)
        else:
            genuine.append(head)
    instance_heads = {h["instance_head"]["sequence"]: h["instance_head_hash"] for h in genuine if h.get("instance_head")}
    instance_problem = _instance_problem(instance_heads) if instance_heads else None
    proved: dict[int | None, list[str]] = {}
    for head in genuine:
        organization_id = head.get("organization_id")
        problem = instance_problem or (_checkpoint_problem(organization_id, head["checkpoint"])
                                       if head.get("checkpoint") else None)
        if problem is not None:
            problems.setdefault(organization_id, problem)
        proved.setdefault(organization_id, []).append(
            f"checkpoint {(head.get('checkpoint') or {}).get('sequence')} and instance head "
            f"{(head.get('instance_head') or {}).get('sequence')}")
    anchored = instance.anchor(public_keys=keys)
    reports = []
    for organization_id in sorted({h.get("organization_id") for h in heads}, key=lambda o: (o is not None, o or 0)):
        if organization_id in problems:
            report = Report(organization_id, problem=problems[organization_id])
        else:
            report = verify.verify_organization(organization_id, anchored, keys)
            if report.intact:
                report.notes.append("Still holds everything the export proved: " + "; ".join(proved[organization_id])
                                    + ".")
        reports.append(report)
    return reports
