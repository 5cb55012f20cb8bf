from __future__ import annotations

from celery import shared_task

from anneal_enterprise.support import access, bundles


@shared_task(name="anneal_support.build_bundle")
def build_support_bundle(bundle_id: str) -> str:
    return bundles.build_bundle(bundle_id).status


@shared_task(name="anneal_support.sweep")
def sweep() -> dict[str, int]:
    """Delete expired bundles; record expired grants and tell their owners."""
    return {"bundles_deleted": bundles.delete_expired(), "grants_expired": access.record_expiries()}
