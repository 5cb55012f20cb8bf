"""``anneal audit verify``: check the stored records against their seals, checkpoints and the instance chain."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typing import Any, Callable, Iterable

from django.db import connection, transaction

from anneal_enterprise.audit import database_check, instance, reading, signing
from anneal_enterprise.audit.canonical import organization_order
from anneal_enterprise.audit.chain import (NO_LOWER_BOUND, Entry, Report, chain_span, verify_checkpoints,
                                           verify_entries)
from anneal_enterprise.audit.documents import checkpoint_dict
from anneal_enterprise.audit.models import AuditCheckpoint, AuditRecord, AuditSeal, AuditSealState


def organizations(anchored: instance.Anchor | None = None) -> list[int | None]:
    """Every organization with records or checkpoints, or that the instance chain names (``None``: instance-wide)."""
    ids: set[int | None] = set(AuditCheckpoint.objects.values_list("organization_id", flat=True).distinct())
    ids |= set(AuditRecord.objects.values_list("organization_id", flat=True).distinct().order_by())
    if anchored is not None:
        ids |= anchored.organizations()
    return sorted(ids, key=organization_order)


def verify_organization(organization_id: int | None, anchored: instance.Anchor | None = None,
                        public_keys: dict[str, Ed25519PublicKey] | None = None) -> Report:
    """The organization's checkpoints (signatures, sequence, links, purges), then whether the
    instance chain and the sealer's state agree with its newest checkpoint, then every record.

    ``public_keys``: the keys to trust; by default every key in the database, which whoever can
    write to the database can add to (pin them with ``anneal audit verify --public-key``).
    """
    anchored = anchored or instance.anchor(public_keys=public_keys)
    checkpoints = [checkpoint_dict(c) for c in
                   AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("sequence", "id")]
    keys = public_keys or signing.trusted_public_keys()
    report = Report(organization_id, checkpoints=len(checkpoints))
    report.problem = (verify_checkpoints(checkpoints, keys) or anchored.problem
                      or instance.compare(organization_id, anchored))
    if report.problem:
        return report
    state = AuditSealState.objects.filter(id=1).first()
    purged = max((c["last_record_id"] for c in checkpoints if c["kind"] == "purge"), default=NO_LOWER_BOUND)

    def owner(leaf: str) -> int | None:
        return (AuditSeal.objects.filter(organization_id=organization_id, leaf=leaf)
                .values_list("record_id", flat=True).first())

    checked_through = state.sealed_through if state else 0

    def judged(entries: Iterable[Entry], leaf_owner: Callable[[str], int | None] = owner) -> Report:
        return verify_entries(organization_id, entries, checkpoints, keys, checked_through=checked_through,
                              sealed_leaf_owner=leaf_owner, start_after=purged, checkpoints_verified=True)

    with transaction.atomic():
        if connection.vendor == "postgresql":
            checked = checked_in_database(organization_id, checkpoints, checked_through, purged)
            if checked is not None:
                return checked
        return judged(reading.records_with_seals(organization_id, purged, leaves=True))


def checked_in_database(organization_id: int | None, checkpoints: list[dict[str, Any]], checked_through: int,
                        purged: int) -> Report | None:
    """The report of an intact chain checked by PostgreSQL alone, or ``None``: something is wrong
    (or a seal's record is gone) and only the walk in Python may judge and name it."""
    span = chain_span(checkpoints, checked_through=checked_through, start_after=purged)
    heads = sorted(span.heads)
    checked = database_check.check_chain(organization_id, span.start, span.limit, span.start_chain, heads)
    if (checked.first_problem is not None or checked.seals != checked.records
            or any(checked.chains.get(record_id) != span.heads[record_id] for record_id in heads)):
        return None
    return Report(organization_id, records=checked.records, checkpoints=len(checkpoints), notes=list(span.notes))


def verify_all(organization_id: int | None = None, *, only: bool = False,
               public_keys: dict[str, Ed25519PublicKey] | None = None) -> list[Report]:
    """Reports for one organization (``only=True``) or for all of them (walking every instance head)."""
    anchored = instance.anchor(walk=not only, public_keys=public_keys)
    targets = [organization_id] if only else organizations(anchored)
    return [verify_organization(target, anchored, public_keys) for target in targets]
