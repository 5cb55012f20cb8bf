"""Turning an event into deliveries, in the transaction of the change (an outbox).

A delivery row commits or rolls back with the change it describes, so a rolled-back change
is never announced and a committed one is never lost. Sending starts after commit.

Most organizations subscribe no endpoint, so the organizations that have an active one are
kept per process (:data:`SUBSCRIBED`, a :class:`core.shared_cache.SharedCache` reloaded by
every process within a second of an endpoint being saved or deleted anywhere): an event of an
organization without endpoints costs no query. An endpoint created in another process
therefore receives the events committed from about one second after its creation on.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from core.events import Event
from core.shared_cache import SharedCache

from anneal_webhooks.models import Delivery, Endpoint

class _Encoder(DjangoJSONEncoder):
    """Dates, UUIDs and decimals as Django writes them; anything else as text, never an error."""

    def default(self, value: Any) -> Any:
        try:
            return super().default(value)
        except TypeError:
            return str(value)


def payload(event: Event) -> dict[str, Any]:
    """What a receiver gets: the event without the client's address or user agent."""
    return {
        "id": str(event.id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat() if event.occurred_at else None,
        "organization_id": event.organization_id,
        "actor": {"kind": event.actor.kind, "id": event.actor.id, "display": event.actor.display},
        "target": (
            {"type": event.target.type, "id": event.target.id, "display": event.target.display}
            if event.target else None
        ),
        "diff": event.diff,
        "data": event.data,
    }


def _subscribed_organizations() -> frozenset[int]:
    return frozenset(Endpoint.objects.filter(is_active=True).values_list("organization_id", flat=True)
                     .order_by().distinct())


SUBSCRIBED: SharedCache[frozenset[int]] = SharedCache("webhooks.subscribed", _subscribed_organizations)
"""The ids of the organizations that have at least one active endpoint."""


def endpoints_changed(**_: Any) -> None:
    """Receiver of ``Endpoint`` saves and deletes: every process reloads :data:`SUBSCRIBED`."""
    SUBSCRIBED.changed()


def record_deliveries(event: Event) -> list[Delivery]:
    """Write one delivery per subscribed active endpoint and send them once the change commits.

    Instance-wide events (no organization) are not sent. ``webhook.endpoint_disabled`` is sent to
    the organization's other endpoints; the disabled one receives nothing, so it cannot loop.
    """
    if event.organization_id is None or event.organization_id not in SUBSCRIBED.get():
        return []
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(organization_id=event.organization_id, is_active=True)
        if endpoint.subscribes_to(event.type)
    ]
    if not endpoints:
        return []
    body = json.dumps(payload(event), cls=_Encoder, separators=(",", ":"), sort_keys=True)
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event_id=event.id, event_type=event.type, body=body) for endpoint in endpoints
    )
    ids = [str(delivery.pk) for delivery in deliveries]
    transaction.on_commit(lambda: _send(ids))
    return deliveries


def _send(ids: list[str]) -> None:
    from anneal_webhooks.tasks import deliver

    for delivery_id in ids:
        deliver.delay(delivery_id)
