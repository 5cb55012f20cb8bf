"""Counts shown beside lists, bounded: at most ``COUNT_CAP + 1`` rows are read, shown as "1,000+".

A count of every row of a large organization costs what its size costs (a million memberships
are a million index entries); a count that stops at the cap costs the same at any size above it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Model, QuerySet

COUNT_CAP = 1000


def count_up_to(queryset: QuerySet, index: tuple[str, ...], cap: int = COUNT_CAP) -> int:
    """``queryset``'s row count, or ``cap + 1`` if it has more (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``).

    ``index``: the columns of the index that serves the filter, as an ordering; without it
    PostgreSQL may pick a sequential scan that reads other organizations' rows until it has found
    ``cap + 1`` (18 ms instead of 0.3 ms for a big organization whose rows came late).
    """
    return queryset.order_by(*index)[: cap + 1].count()


def capped_counts(lists: dict[str, tuple[type[Model], tuple[str, str]]], values: Iterable[int],
                  cap: int = COUNT_CAP) -> dict[int, dict[str, int]]:
    """For each of ``values``, for each named list ``model, index``: the rows of ``model`` whose column
    ``index[0]`` holds the value, counted up to ``cap + 1``.

    One statement for all of them, each count with its own constant (so PostgreSQL plans a big
    organization as big) and read in the order of the index ``index``.
    """
    values = [int(v) for v in values]
    if not values:
        return {}
    models = [model for model, _ in lists.values()]
    connection = connections[router.db_for_read(models[0])]
    quote = connection.ops.quote_name
    counts = []
    for model, (column, then) in lists.values():
        counts.append(f"(SELECT COUNT(*) FROM (SELECT 1 FROM {quote(model._meta.db_table)} "  # noqa: S608 (names)
                      f"WHERE {quote(column)} = %s ORDER BY {quote(column)}, {quote(then)} "
                      f"LIMIT {int(cap) + 1}) capped)")
    one = "SELECT %s, " + ", ".join(counts)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([one] * len(values)), [v for v in values for _ in range(len(counts) + 1)])
        return {row[0]: dict(zip(lists, row[1:])) for row in cursor.fetchall()}


def shown(count: int, cap: int = COUNT_CAP) -> str:
    """``1,000+`` above the cap, else the number with thousands separators."""
    return f"{cap:,}+" if count > cap else f"{count:,}"
