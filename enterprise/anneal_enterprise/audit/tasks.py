"""Celery tasks of the audit log: sealing, exports, streaming and retention."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="anneal_audit.seal")
def seal() -> dict[str, Any]:
    from anneal_enterprise.audit.sealing import seal as run

    result = run()
    return {"records": result.records, "checkpoints": result.checkpoints, "sealed_through": result.sealed_through,
            "skipped": result.skipped}


@shared_task(name="anneal_audit.run_export")
def run_export(export_id: int) -> None:
    from anneal_enterprise.audit.export import run_export as run

    run(export_id)


@shared_task(name="anneal_audit.dispatch_deliveries")
def dispatch_deliveries() -> int:
    from anneal_enterprise.audit.streaming.delivery import due_destinations

    ids = due_destinations()
    for destination_id in ids:
        deliver.delay(destination_id)
    return len(ids)


@shared_task(name="anneal_audit.deliver")
def deliver(destination_id: int) -> dict[str, Any]:
    from anneal_enterprise.audit.streaming.delivery import deliver as run

    return run(destination_id)


@shared_task(name="anneal_audit.purge_expired")
def purge_expired() -> int:
    from anneal_enterprise.audit.retention import purge_expired as run

    return sum(result.records for result in run())
