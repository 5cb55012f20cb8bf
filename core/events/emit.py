"""Emitting domain events inside the transaction of the change they describe."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.events import registry
from core.events.context import current_actor, current_request_info
from core.events.diff import diff as make_diff
from core.events.types import Actor, Event, Target
from core.plugins import hooks


def emit(
    type: str,
    *,
    organization: Any = None,
    target: Target | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> Event:
    """Emit event ``type``; call it inside the ``transaction.atomic()`` block of the change.

    ``anneal_event`` implementations run now, in this transaction, and an exception from one
    of them rolls the whole change back: the transaction cannot be continued after it. ``anneal_event_committed`` runs after commit.
    """
    registry.get(type)
    info = current_request_info()
    organization_id = organization if isinstance(organization, int) or organization is None else organization.pk
    event = Event(
        type=type,
        actor=actor or current_actor(),
        target=target,
        organization_id=organization_id,
        diff=make_diff(before, after),
        data=data or {},
        ip=info.ip,
        user_agent=info.user_agent,
        request_id=info.request_id,
        occurred_at=timezone.now(),
    )
    # No savepoint: an ``anneal_event`` failure must fail the whole change (the caller's
    # transaction is marked for rollback), never be caught and the change committed without
    # its event. Outside a transaction this opens one for the handlers' writes.
    with transaction.atomic(savepoint=False):
        hooks.event(event)
        transaction.on_commit(lambda: hooks.event_committed(event))
    return event
