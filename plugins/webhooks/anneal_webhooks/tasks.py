"""Celery tasks: send one delivery, and the periodic sweep that retries due deliveries."""

from __future__ import annotations

from celery import shared_task

from anneal_webhooks import delivery


@shared_task(name="anneal_webhooks.deliver", ignore_result=True)
def deliver(delivery_id: str) -> None:
    delivery.attempt(delivery_id)


@shared_task(name="anneal_webhooks.deliver_due", ignore_result=True)
def deliver_due() -> int:
    """Attempt every delivery whose retry time has come; return how many were attempted."""
    ids = delivery.due_ids()
    for delivery_id in ids:
        delivery.attempt(delivery_id)
    return len(ids)


@shared_task(name="anneal_webhooks.prune", ignore_result=True)
def prune() -> int:
    """Delete finished deliveries (and their logs) older than ``ANNEAL_WEBHOOKS_KEEP_DAYS``."""
    return delivery.prune()
