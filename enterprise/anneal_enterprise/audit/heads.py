"""A *signed head*: what an export or a streamed batch carries to prove, later, what the log held.

It names the organization's newest signed checkpoint and the newest signed instance head at
the time. Both signatures check with the audit public key alone, so the holder of the file (or
of a SIEM copy of a batch) can later ask the database: do you still contain these? This module
imports nothing from Django; the offline verifier uses it.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from anneal_enterprise.audit.canonical import checkpoint_hash, checkpoint_message, instance_head_hash, instance_head_message
from anneal_enterprise.audit.chain import Problem, scope_name, signature_error

HEAD_FORMAT = "anneal-audit-head"


def find_signed_head(item: Any) -> dict[str, Any] | None:
    """The signed head inside a JSON value: an export line, a streamed event or batch, or the head itself."""
    if not isinstance(item, dict):
        return None
    candidates = [item] + [item[key] for key in ("signed_head", "anneal_signed_head") if isinstance(item.get(key), dict)]
    for candidate in candidates:
        organization_id = candidate.get("organization_id")
        if candidate.get("format") == HEAD_FORMAT and (organization_id is None or type(organization_id) is int):
            return candidate
    return None


def signed_head_problem(head: dict[str, Any], public_keys: dict[str, Ed25519PublicKey]) -> Problem | None:
    """Whether the signed head is genuine: both signatures and both hashes."""
    try:
        return _signed_head_problem(head, public_keys)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return Problem("checkpoint", None, f"The signed head is damaged ({type(exc).__name__}): it is not as "
                       "Anneal wrote it.")


def _signed_head_problem(head: dict[str, Any], public_keys: dict[str, Ed25519PublicKey]) -> Problem | None:
    checkpoint, instance_head = head.get("checkpoint"), head.get("instance_head")
    scope = scope_name(head.get("organization_id"))
    if checkpoint is not None:
        error = signature_error(public_keys, checkpoint["key_id"], checkpoint["signature"],
                                checkpoint_message(checkpoint))
        if error or checkpoint_hash(checkpoint) != head.get("checkpoint_hash"):
            return Problem("checkpoint", checkpoint["last_record_id"], f"The signed head's checkpoint "
                           f"{checkpoint.get('sequence')} of {scope} {error or 'does not match its hash'}",
                           checkpoint.get("sequence"))
    if instance_head is not None:
        error = signature_error(public_keys, instance_head["key_id"], instance_head["signature"],
                                instance_head_message(instance_head))
        if error or instance_head_hash(instance_head) != head.get("instance_head_hash"):
            return Problem("instance", None, f"The signed head's instance head {instance_head['sequence']} "
                           f"{error or 'does not match its hash'}")
    return None
