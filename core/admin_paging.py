"""A Django admin paginator that never counts a whole table, for the lists that grow without bound.

The admin's page links need a count. Unfiltered, it is PostgreSQL's estimate of the table's rows
(``pg_class.reltuples``, kept by autovacuum and ``ANALYZE``); filtered (a search, a filter), the
rows counted up to ``ADMIN_COUNT_CAP``, so a search matching a million users reads at most that
many index entries (the admin then shows 10,001 and page links up to there). Exact below the cap.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections

ADMIN_COUNT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if queryset.query.where or connection.vendor != "postgresql":
            return queryset[: ADMIN_COUNT_CAP + 1].count()
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:  # one statement whichever way it goes
            cursor.execute(f"SELECT CASE WHEN reltuples > %s THEN reltuples::bigint ELSE (SELECT COUNT(*) FROM "
                           f"(SELECT 1 FROM {table} LIMIT %s) capped) END FROM pg_class WHERE oid = %s::regclass",
                           [ADMIN_COUNT_CAP, ADMIN_COUNT_CAP + 1, queryset.model._meta.db_table])
            return int(cursor.fetchone()[0])


class EstimatedCountAdmin:
    """Mix into a ``ModelAdmin`` of a table that grows without bound: no full count on its list."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
