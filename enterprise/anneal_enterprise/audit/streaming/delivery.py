"""Delivering sealed records to a destination from its cursor: at least once, in order.

Only sealed records are streamed: the sealer's horizon guarantees that no record with a
smaller id can still commit, so a cursor (the last delivered id) never skips one. A delivery
locks its destination row (``SELECT … FOR UPDATE SKIP LOCKED``), so one worker at a time
sends for a destination and batches go out in id order. The cursor advances only after the
receiver accepted a batch; on failure the same batch is sent again later, with exponential
backoff, and the destination shows "failing since" until a batch succeeds.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anneal_enterprise.audit import access
from anneal_enterprise.audit.documents import signed_head
from anneal_enterprise.audit.models import AuditDestination, AuditRecord, AuditSealState
from anneal_enterprise.audit.presentation import COLUMNS, row_json
from anneal_enterprise.audit.streaming.destinations import ca_pem_of, secret_of
from anneal_enterprise.audit.streaming.syslog import SyslogSender
from anneal_enterprise.audit.streaming.webhook import DeliveryFailed, WebhookSender

logger = logging.getLogger("anneal.audit.streaming")


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def backoff_seconds(attempts: int) -> float:
    """2, 4, 8, … seconds, capped (``ANNEAL_AUDIT_STREAM_BACKOFF`` / ``…_MAX_BACKOFF``)."""
    base = _setting("ANNEAL_AUDIT_STREAM_BACKOFF", 2.0)
    return min(base * (2 ** max(attempts - 1, 0)), _setting("ANNEAL_AUDIT_STREAM_MAX_BACKOFF", 300.0))


def sealed_through() -> int:
    state = AuditSealState.objects.filter(id=1).first()
    return state.sealed_through if state else 0


def _organization(organization_id: int) -> Any:
    from core.models import Organization

    return Organization(pk=organization_id)


def due_destinations() -> list[int]:
    """Destinations with sealed records to send whose backoff has passed."""
    horizon = sealed_through()
    now = timezone.now()
    candidates = AuditDestination.objects.filter(enabled=True, cursor__lt=horizon).filter(
        Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)).values_list("id", "organization_id")
    return [pk for pk, organization_id in candidates if access.can_configure(_organization(organization_id))]


def sender_for(destination: AuditDestination) -> Any:
    if destination.kind == "webhook":
        return WebhookSender(destination.url, secret_of(destination), destination.verification_token)
    return SyslogSender(destination.host, destination.port or 514, destination.tls, ca_pem_of(destination))


def _batch(destination: AuditDestination, horizon: int, size: int) -> tuple[list[tuple[Any, ...]], int]:
    """The next records (their :data:`presentation.COLUMNS`) and the cursor to store once they are accepted."""
    queryset = AuditRecord.objects.filter(organization_id=destination.organization_id,
                                          id__gt=destination.cursor, id__lte=horizon)
    if destination.event_types:
        queryset = queryset.filter(type__in=destination.event_types)
    records = list(queryset.order_by("id").values_list(*COLUMNS)[:size])
    if len(records) < size:
        return records, horizon  # nothing else matches up to the horizon
    return records, records[-1][0]


def _events(records: list[tuple[Any, ...]], head: dict[str, Any]) -> list[dict[str, Any]]:
    """The batch; its last event carries the signed head, so a SIEM copy can later prove truncation."""
    types: dict[str, tuple[str, str]] = {}
    events = [row_json(record, types) for record in records]
    events[-1]["anneal_signed_head"] = head
    return events


# Written by concatenation, which costs less per row than json_build_object (docs/benchmarks.md,
# streaming). Every text goes through to_json, which escapes it; ids and numbers are JSON
# already, and ``details`` is parsed as json (not jsonb), so its numbers keep their text. The
# category and severity come from the event types joined as a small table (``t``), already JSON.
_EVENT_JSON = """('{"id":' || r.id || ',"event_id":"' || r.event_id::text || '"'
    || ',"occurred_at":"' || to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"'
    || ',"organization_id":' || r.organization_id || ',"action":' || to_json(r.type)::text
    || ',"category":' || COALESCE(t.category, '"other"') || ',"severity":' || COALESCE(t.severity, '"info"')
    || ',"actor":{"kind":' || to_json(r.actor_kind)::text || ',"id":' || COALESCE(to_json(NULLIF(r.actor_id, ''))::text, 'null')
    || ',"display":' || to_json(r.actor_display)::text || '}'
    || ',"target":' || CASE WHEN r.target_type <> '' THEN '{"type":' || to_json(r.target_type)::text || ',"id":'
        || COALESCE(to_json(NULLIF(r.target_id, ''))::text, 'null') || ',"display":' || to_json(r.target_display)::text || '}'
        ELSE 'null' END
    || ',"diff":' || COALESCE((d.details -> 'diff')::text, '{}') || ',"data":' || COALESCE((d.details -> 'data')::text, '{}')
    || ',"ip":' || COALESCE(to_json(NULLIF(r.ip, ''))::text, 'null') || ',"user_agent":' || to_json(r.user_agent)::text
    || ',"request_id":' || COALESCE(to_json(NULLIF(r.request_id, ''))::text, 'null') || '}')"""


def event_types_table() -> dict[str, list[str]]:
    """The parameters of the event types table ``t``: names, and category and severity as JSON."""
    from core.events import registry

    known = registry.event_types()
    return {"type_names": list(known), "categories": [json.dumps(t.category) for t in known.values()],
            "severities": [json.dumps(t.severity) for t in known.values()]}


def batch_json_sql(only: str = "") -> str:
    """The batch query: its records first (``%(size)s`` after ``%(cursor)s``), then each written
    as JSON, then all of them joined into one text, in id order: ``(count, first id, last id, text)``."""
    return (
        f"SELECT count(*), min(id), max(id), string_agg(event, ',' ORDER BY id) FROM (SELECT r.id, {_EVENT_JSON} AS event "
        f"FROM (SELECT * FROM {AuditRecord._meta.db_table} r WHERE r.organization_id = %(organization)s "
        f"AND r.id > %(cursor)s AND r.id <= %(horizon)s {only}ORDER BY r.id LIMIT %(size)s) r "
        "CROSS JOIN LATERAL (SELECT COALESCE(NULLIF(r.details, ''), '{}')::json AS details) d "
        "LEFT JOIN unnest(%(type_names)s::text[], %(categories)s::text[], %(severities)s::text[]) "
        "AS t(type, category, severity) ON t.type = r.type) events"
    )


@dataclass(frozen=True)
class JsonBatch:
    """Records written as JSON objects by PostgreSQL, joined by commas (``events``)."""

    count: int
    first: int
    last: int
    events: str


def _json_batch(destination: AuditDestination, horizon: int, size: int) -> tuple[JsonBatch, int]:
    """Like :func:`_batch`, each record as its :func:`presentation.row_json` object already written
    as JSON by PostgreSQL (the same keys and values), all in one text."""
    from django.db import connection

    params: dict[str, Any] = {"organization": destination.organization_id, "cursor": destination.cursor,
                              "horizon": horizon, "size": size, "event_types": list(destination.event_types or []),
                              **event_types_table()}
    only = "AND r.type = ANY(%(event_types)s) " if destination.event_types else ""
    with connection.cursor() as cursor:
        cursor.execute(batch_json_sql(only), params)
        batch = JsonBatch(*cursor.fetchone())
    if batch.count < size:
        return batch, horizon
    return batch, batch.last


@dataclass(frozen=True)
class Batch:
    """The next batch, ready to send: ``count`` records from ``after``; ``cursor`` to store once accepted."""

    after: int
    count: int
    cursor: int
    send: Callable[[Any], None]


def _prepare(destination: AuditDestination, after: int, horizon: int, size: int, webhook: bool,
             head: dict[str, Any]) -> Batch:
    """The batch after ``after`` (the records read now; a sender sends it later, maybe from another
    thread), its last event carrying ``head``."""
    from django.db import connection

    reading = copy(destination)
    reading.cursor = after
    if webhook and connection.vendor == "postgresql":
        written, cursor = _json_batch(reading, horizon, size)
        if not written.count:
            return Batch(after, 0, cursor, lambda sender: None)
        head_json = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
        events = f'{written.events[:-1]}, "anneal_signed_head": {head_json}}}'  # into the last event
        return Batch(after, written.count, cursor,
                     lambda sender: sender.send_events_json(events, written.first, written.last))
    records, cursor = _batch(reading, horizon, size)
    events = _events(records, head) if records else []
    return Batch(after, len(records), cursor, lambda sender: sender.send(events) if events else None)


def _send_closing(batch: Batch, sender: Any) -> None:
    """Send from the worker thread; the egress ledger may open this thread's own database
    connection (at most once a minute per destination): close it, never leave it open."""
    from django.db import connections

    try:
        batch.send(sender)
    finally:
        connections.close_all()


def deliver(destination_id: int, time_budget: float | None = None) -> dict[str, Any]:
    """Send batches until the destination is caught up, fails, or the time budget is spent."""
    budget = _setting("ANNEAL_AUDIT_STREAM_TIME_BUDGET", 20.0) if time_budget is None else time_budget
    size = int(_setting("ANNEAL_AUDIT_STREAM_BATCH", 1000))
    started = time.monotonic()
    delivered = 0
    sender = None
    ahead: tuple[tuple[Any, ...], Batch] | None = None  # the batch after the one in flight, read meanwhile
    heads: dict[str, Any] = {}  # the signed head the batches carry, read again when the horizon moves
    pool = ThreadPoolExecutor(1, thread_name_prefix="audit-stream")
    try:
        while True:
            with transaction.atomic():
                destination = (AuditDestination.objects.select_for_update(skip_locked=True)
                               .filter(pk=destination_id, enabled=True).first())
                if destination is None:
                    return {"delivered": delivered, "state": "busy or gone"}
                if not access.can_configure(_organization(destination.organization_id)):
                    return {"delivered": delivered, "state": "audit log not licensed"}
                sender = sender or sender_for(destination)
                horizon = sealed_through()
                # Read again when the sealer moved the horizon; an older signed head stays valid.
                if heads.get("horizon") != horizon:
                    heads.update(horizon=horizon, head=signed_head(destination.organization_id))
                head = heads["head"]
                # Read ahead only for the same destination settings and cursor; a changed
                # destination (or another worker's progress) discards what was read ahead.
                settings_key = (destination.cursor, destination.kind, destination.url, destination.host,
                                destination.port, tuple(destination.event_types or ()))
                webhook = isinstance(sender, WebhookSender)
                batch = ahead[1] if ahead is not None and ahead[0] == settings_key else \
                    _prepare(destination, destination.cursor, horizon, size, webhook, head)
                ahead = None
                in_flight = pool.submit(_send_closing, batch, sender)
                if batch.count == size:  # more to send: read the next batch while this one travels
                    following = _prepare(destination, batch.cursor, horizon, size, webhook, head)
                    ahead = ((batch.cursor,) + settings_key[1:], following)
                sent, cursor = batch.count, batch.cursor
                try:
                    in_flight.result()
                except DeliveryFailed as exc:
                    ahead = None
                    now = timezone.now()
                    destination.failing_since = destination.failing_since or now
                    destination.attempts += 1
                    destination.next_attempt_at = now + timedelta(seconds=backoff_seconds(destination.attempts))
                    destination.last_error = str(exc)[:1000]
                    destination.save(update_fields=["failing_since", "attempts", "next_attempt_at", "last_error"])
                    logger.warning("Audit streaming to %s failed: %s", destination.name, exc)
                    return {"delivered": delivered, "state": "failing", "error": str(exc)}
                caught_up = cursor == destination.cursor or sent < size
                destination.cursor = cursor
                destination.delivered_count += sent
                destination.failing_since, destination.attempts = None, 0
                destination.next_attempt_at, destination.last_error = None, ""
                destination.save(update_fields=["cursor", "delivered_count", "failing_since", "attempts",
                                                "next_attempt_at", "last_error"])
                delivered += sent
            if caught_up:
                return {"delivered": delivered, "state": "caught up"}
            if time.monotonic() - started > budget:
                from anneal_enterprise.audit.tasks import deliver as deliver_task

                transaction.on_commit(lambda: deliver_task.delay(destination_id))
                return {"delivered": delivered, "state": "continuing"}
    finally:
        pool.shutdown(wait=True)
        if sender is not None:
            sender.close()
