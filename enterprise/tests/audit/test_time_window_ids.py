"""A time filter limited to the window's ids returns exactly what the plain time filter returns."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from anneal_enterprise.audit.models import AuditRecord
from anneal_enterprise.audit.query import Filters, filtered, page, within_ids
from anneal_enterprise.audit.window import EMPTY, id_bounds

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _seed(times: list[datetime], organization_of=lambda n: 1 + n % 3) -> None:
    AuditRecord.objects.bulk_create(
        AuditRecord(event_id=f"00000000-0000-0000-0000-{n:012d}", organization_id=organization_of(n), occurred_at=when,
                    type="project.updated", actor_kind="user")
        for n, when in enumerate(times))


def _disordered(count: int = 600) -> list[datetime]:
    """Times rising with the ids, with late records (hours to weeks behind) and early ones mixed in."""
    rng = random.Random(14)
    times = []
    for n in range(count):
        when = START + timedelta(minutes=30 * n)
        if n % 37 == 5:
            when -= timedelta(hours=rng.choice([2, 30, 24 * 20]))
        elif n % 41 == 7:
            when += timedelta(hours=rng.choice([3, 50]))
        times.append(when)
    return times


def _plain(organization_id: int, since: datetime | None, until: datetime | None) -> list[int]:
    queryset = AuditRecord.objects.filter(organization_id=organization_id)
    if since:
        queryset = queryset.filter(occurred_at__gte=since)
    if until:
        queryset = queryset.filter(occurred_at__lte=until)
    return list(queryset.order_by("-id").values_list("id", flat=True))


def _ranged(organization_id: int, since: datetime | None, until: datetime | None) -> list[int]:
    queryset = within_ids(AuditRecord.objects.filter(organization_id=organization_id), since, until)
    if since:
        queryset = queryset.filter(occurred_at__gte=since)
    if until:
        queryset = queryset.filter(occurred_at__lte=until)
    return list(queryset.order_by("-id").values_list("id", flat=True))


WINDOWS = [
    (START + timedelta(days=2), START + timedelta(days=3)),  # one day
    (None, START + timedelta(days=2)),  # until
    (START + timedelta(days=9), None),  # since
    (START + timedelta(hours=5), START + timedelta(hours=5, minutes=40)),  # under an hour
    (START - timedelta(days=30), START + timedelta(days=60)),  # everything
    (START + timedelta(days=1), START + timedelta(days=1)),  # one instant
]


@pytest.mark.parametrize("since, until", WINDOWS)
def test_the_window_ids_hold_every_record_of_the_window_despite_out_of_order_times(since, until):
    _seed(_disordered())
    for organization_id in (1, 2, 3):
        assert _ranged(organization_id, since, until) == _plain(organization_id, since, until)


def test_the_window_ends_are_inclusive_like_the_time_filter():
    _seed([START + timedelta(minutes=n) for n in range(10)], organization_of=lambda n: 1)
    since, until = START + timedelta(minutes=3), START + timedelta(minutes=6)
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    assert id_bounds(since, until) == (ids[3], ids[6])
    assert _ranged(1, since, until) == ids[3:7][::-1]


def test_a_window_just_past_the_records_times_is_empty():
    _seed([START + timedelta(minutes=n) for n in range(10)], organization_of=lambda n: 1)
    assert id_bounds(START + timedelta(minutes=3, microseconds=1), START + timedelta(minutes=3, seconds=59)) == EMPTY
    assert id_bounds(START + timedelta(minutes=10), None) == EMPTY
    assert id_bounds(None, START - timedelta(microseconds=1)) == EMPTY
    assert id_bounds(START + timedelta(minutes=5), START + timedelta(minutes=4)) == EMPTY
    assert _ranged(1, START + timedelta(minutes=10), None) == []


def test_a_late_record_far_from_the_anchor_is_inside_the_bounds():
    times = [START + timedelta(hours=n) for n in range(200)]
    times[150] = START + timedelta(hours=10, minutes=30)  # written 140 hours late
    times[20] = START + timedelta(hours=190, minutes=30)  # stamped 170 hours early
    _seed(times, organization_of=lambda n: 1)
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    low, high = id_bounds(START + timedelta(hours=10), START + timedelta(hours=11))
    assert high == ids[150]
    low, high = id_bounds(START + timedelta(hours=190), None)
    assert low == ids[20]


def test_no_time_filter_leaves_the_ids_open():
    assert id_bounds(None, None) == (None, None)


def test_the_pages_of_a_window_through_the_product_filter_are_those_of_the_plain_filter():
    _seed(_disordered())
    filters = Filters(since=START + timedelta(days=1), until=START + timedelta(days=6))
    shown, cursor = [], None
    while True:
        records, cursor = page(filtered(1, filters), cursor, 7)
        shown += [r.id for r in records]
        if cursor is None:
            break
    assert shown == _plain(1, filters.since, filters.until)



@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_bound_lookups_leave_the_connections_planner_settings_as_they_were():
    settings = "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan'), " \
               "current_setting('enable_indexonlyscan'), current_setting('max_parallel_workers_per_gather')"
    _seed(_disordered(60))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # the caller's own setting survives too
        try:
            cursor.execute(settings)
            before = cursor.fetchone()
            assert id_bounds(START, START + timedelta(days=1)) != EMPTY
            cursor.execute(settings)
            assert cursor.fetchone() == before
            assert before[:2] == ("on", "off")
        finally:
            cursor.execute("RESET enable_seqscan")
