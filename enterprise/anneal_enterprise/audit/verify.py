"""``anneal audit verify``: check the stored records against their seals and checkpoints."""

from __future__ import annotations

from django.db import transaction

from anneal_enterprise.audit import reading, signing
from anneal_enterprise.audit.chain import NO_LOWER_BOUND, Report, verify_entries
from anneal_enterprise.audit.models import AuditCheckpoint, AuditRecord, AuditSeal, AuditSealState
from anneal_enterprise.audit.sealing import checkpoint_dict


def organizations() -> list[int | None]:
    """Every organization with records or checkpoints (``None``: instance-wide events)."""
    ids: set[int | None] = set(AuditCheckpoint.objects.values_list("organization_id", flat=True).distinct())
    ids |= set(AuditRecord.objects.values_list("organization_id", flat=True).distinct().order_by())
    return sorted(ids, key=lambda o: (o is not None, o or 0))


def verify_organization(organization_id: int | None) -> Report:
    checkpoints = [checkpoint_dict(c) for c in
                   AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("id")]
    state = AuditSealState.objects.filter(id=1).first()
    purged = max((c["last_record_id"] for c in checkpoints if c["kind"] == "purge"), default=NO_LOWER_BOUND)

    def owner(leaf: str) -> int | None:
        return (AuditSeal.objects.filter(organization_id=organization_id, leaf=leaf)
                .values_list("record_id", flat=True).first())

    with transaction.atomic():
        return verify_entries(
            organization_id, reading.records_with_seals(organization_id, purged, leaves=True), checkpoints,
            signing.public_keys(), checked_through=state.sealed_through if state else 0, sealed_leaf_owner=owner,
            start_after=purged,
        )


def verify_all(organization_id: int | None = None, *, only: bool = False) -> list[Report]:
    """Reports for one organization (``only=True``) or for all of them."""
    targets = [organization_id] if only else organizations()
    return [verify_organization(target) for target in targets]
