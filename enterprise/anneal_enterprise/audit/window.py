"""A time window of audit records as an id range, so a page of an old window reads only that range.

``occurred_at BETWEEN since AND until ORDER BY id DESC LIMIT 51`` on a big organization made
PostgreSQL walk the primary key backwards through every newer record until the window (700,000
rows at 1.2 million records): the planner expects matches to be spread evenly. With the window's
ids as well (``id BETWEEN low AND high`` and the same time condition) the walk starts at the
window's newest record.

The ids are exact, not estimated: times rise with ids only roughly (a record's time is its
event's, its id comes from a sequence, transactions commit out of order, a delayed record may
arrive hours late), so the bounds are

* ``high`` = the largest id of any record with ``occurred_at <= until``,
* ``low``  = the smallest id of any record with ``occurred_at >= since``,

of any organization: every record of the window lies between them, whatever the disorder. Each
is found in two reads of the BRIN index on ``(occurred_at, id)`` (migration 0007), never by
walking the table: an *anchor* (the newest id just before ``until``, widening the slice until a
record is found), then the largest id with ``occurred_at <= until`` and ``id >= anchor``, which
reads only the block ranges holding such ids; a late record is found there, because the index
summarises ids too. The time condition stays in the query, so the result is identical to the
plain filter. A record committed between these reads and the page read, with an id outside the
bounds, shows from the next request on, as if the page had been read a moment earlier.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from anneal_enterprise.audit.planner import planner_settings
from anneal_enterprise.audit.reading import RECORDS

# Slices tried for an anchor, narrowest first; after them, the whole side of the window.
SLICES = (timedelta(hours=1), timedelta(days=1), timedelta(days=31), timedelta(days=366))
# Only bitmap scans (the BRIN index) for the bound lookups, in one process: the planner would
# otherwise walk the primary key, expecting the condition to match soon (the same mistake).
_BITMAP_ONLY = {"enable_indexscan": "off", "enable_indexonlyscan": "off", "enable_seqscan": "off",
                "max_parallel_workers_per_gather": "0"}

EMPTY = (1, 0)  # no id is in it: the window holds no record


def _value(sql: str, params: list[Any]) -> int | None:
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores it (text on SQLite)
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(p) if isinstance(p, datetime) else p for p in params])
        row = cursor.fetchone()
    return row[0] if row else None


def _shifted(moment: datetime, by: timedelta) -> datetime | None:
    try:
        return moment + by
    except OverflowError:  # a window reaching year 1 or 9999
        return None


def _high(since: datetime | None, until: datetime) -> int | None:
    """The largest id of a record with ``since <= occurred_at <= until`` (``None``: there is none)."""
    anchor = None
    for width in SLICES:
        start = _shifted(until, -width)
        if start is None or (since is not None and start <= since):
            break
        anchor = _value(f"SELECT max(id) FROM {RECORDS} WHERE occurred_at > %s AND occurred_at <= %s", [start, until])
        if anchor is not None:
            break
    lower = "occurred_at >= %s" if since is not None else "1 = 1"
    params: list[Any] = [since] if since is not None else []
    if anchor is None:  # the last slice: the whole window (or everything before ``until``)
        return _value(f"SELECT max(id) FROM {RECORDS} WHERE {lower} AND occurred_at <= %s", [*params, until])
    return _value(f"SELECT max(id) FROM {RECORDS} WHERE {lower} AND occurred_at <= %s AND id >= %s",
                  [*params, until, anchor])


def _low(since: datetime, until: datetime | None) -> int | None:
    """The smallest id of a record with ``since <= occurred_at <= until`` (``None``: there is none)."""
    anchor = None
    for width in SLICES:
        end = _shifted(since, width)
        if end is None or (until is not None and end >= until):
            break
        anchor = _value(f"SELECT min(id) FROM {RECORDS} WHERE occurred_at >= %s AND occurred_at < %s", [since, end])
        if anchor is not None:
            break
    upper = "occurred_at <= %s" if until is not None else "1 = 1"
    params: list[Any] = [until] if until is not None else []
    if anchor is None:
        return _value(f"SELECT min(id) FROM {RECORDS} WHERE occurred_at >= %s AND {upper}", [since, *params])
    return _value(f"SELECT min(id) FROM {RECORDS} WHERE occurred_at >= %s AND {upper} AND id <= %s",
                  [since, *params, anchor])


def id_bounds(since: datetime | None, until: datetime | None) -> tuple[int | None, int | None]:
    """``(low, high)``: every record with ``since <= occurred_at <= until`` has ``low <= id <= high``.

    ``None`` for a side the window leaves open; :data:`EMPTY` when no record is in the window.
    """
    if since is None and until is None:
        return None, None
    if since is not None and until is not None and since > until:
        return EMPTY
    with planner_settings(_BITMAP_ONLY):
        high = _high(since, until) if until is not None else None
        if until is not None and high is None:
            return EMPTY
        low = _low(since, until) if since is not None else None
        if since is not None and low is None:
            return EMPTY
    return low, high

