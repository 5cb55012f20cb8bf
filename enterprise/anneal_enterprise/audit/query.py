"""Filtering audit records and paging through them with a keyset cursor (newest first).

The cursor is the id of the last record shown, so page N costs the same as page 1 on any
number of rows: ``WHERE organization_id = ? [AND filter] AND id < ? ORDER BY id DESC LIMIT ?``
selects the page's ids alone from one of the ``(organization_id, …, -id)`` indexes (see
``models.AuditRecord.Meta``), then reads those records (``core.keyset.page_rows``): ordered by
id with the filter outside, PostgreSQL walked the primary key backwards past every newer record
of other organizations instead. A time window also limits the ids (:mod:`window`): PostgreSQL
walked the primary key through every newer record until an old window otherwise.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone as dt_timezone
from typing import Any, Mapping

from django.db import connection
from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils import timezone

from anneal_enterprise.audit.models import AuditRecord
from anneal_enterprise.audit.window import id_bounds
from core.events import registry
from core.keyset import page_rows

MAX_PAGE = 500


class BadQuery(ValueError):
    """A filter or cursor the caller sent cannot be used; the message says why."""


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""

    def as_params(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(self).items() if v}


def _moment(name: str, text: str, end: bool = False) -> datetime | None:
    if not text:
        return None
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise BadQuery(f"{name} must be a date (2026-01-31) or an ISO 8601 time; got {text!r}.")
        value = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
    return timezone.make_aware(value, dt_timezone.utc) if timezone.is_naive(value) else value


def parse_filters(params: Mapping[str, Any]) -> Filters:
    action = (params.get("action") or "").strip()
    if action and not action.endswith(".*") and action not in registry.event_types():
        raise BadQuery(f"Unknown action {action!r}: use an event type name, or a prefix such as 'project.*'.")
    return Filters(
        since=_moment("since", (params.get("since") or "").strip()),
        until=_moment("until", (params.get("until") or "").strip(), end=True),
        actor=(params.get("actor") or "").strip(), action=action,
        target_type=(params.get("target_type") or "").strip(), target_id=(params.get("target_id") or "").strip(),
    )


def filtered(organization_id: int | None, filters: Filters) -> QuerySet[AuditRecord]:
    queryset = AuditRecord.objects.filter(organization_id=organization_id)
    if (filters.since or filters.until) and connection.vendor == "postgresql":
        queryset = within_ids(queryset, filters.since, filters.until)
    if filters.since:
        queryset = queryset.filter(occurred_at__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(occurred_at__lte=filters.until)
    if filters.actor:
        if filters.actor.isdigit():
            queryset = queryset.filter(actor_id=filters.actor)
        else:
            queryset = queryset.filter(actor_display__istartswith=filters.actor)
    if filters.action:
        if filters.action.endswith(".*"):
            queryset = queryset.filter(type__startswith=filters.action[:-1])
        else:
            queryset = queryset.filter(type=filters.action)
    if filters.target_type:
        queryset = queryset.filter(target_type=filters.target_type)
    if filters.target_id:
        queryset = queryset.filter(target_id=filters.target_id)
    return queryset


def within_ids(queryset: QuerySet[AuditRecord], since: datetime | None,
               until: datetime | None) -> QuerySet[AuditRecord]:
    """``queryset`` limited to the ids a time window can hold (:mod:`window`); add the time condition too."""
    low, high = id_bounds(since, until)
    if low is not None:
        queryset = queryset.filter(id__gte=low)
    if high is not None:
        queryset = queryset.filter(id__lte=high)
    return queryset


def encode_cursor(record_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": record_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["before"]
        if not isinstance(value, int) or value < 0:
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadQuery("The cursor is not valid: use the `next` link of the previous page.") from None


def page(queryset: QuerySet[AuditRecord], cursor: str | None, size: int) -> tuple[list[AuditRecord], str | None]:
    """One page, newest first, and the cursor of the next page (``None`` on the last page)."""
    size = max(1, min(size, MAX_PAGE))
    if cursor:
        queryset = queryset.filter(id__lt=decode_cursor(cursor))
    records = list(page_rows(queryset, ("-id",), size + 1))
    if len(records) > size:
        return records[:size], encode_cursor(records[size - 1].id)
    return records, None
