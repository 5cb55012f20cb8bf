"""Counts shown beside lists, bounded: at most ``COUNT_CAP + 1`` rows are read, shown as "1,000+".

A count of every row of a large organization costs what its size costs (a million memberships
are a million index entries); a count that stops at the cap costs the same at any size above it.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

COUNT_CAP = 1000


def count_up_to(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """``queryset``'s row count, or ``cap + 1`` if it has more (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``)."""
    return queryset[: cap + 1].count()


def capped_count(model: type[Model], column: str, outer_column: str, cap: int = COUNT_CAP) -> RawSQL:
    """An annotation: the rows of ``model`` whose ``column`` equals the outer query's ``outer_column``,
    counted up to ``cap + 1``. ``outer_column`` is ``table.column`` of the annotated query."""
    table = model._meta.db_table
    return RawSQL(f'SELECT COUNT(*) FROM (SELECT 1 FROM "{table}" inner_rows '  # noqa: S608 (names, not input)
                  f'WHERE inner_rows."{column}" = {outer_column} LIMIT {int(cap) + 1}) capped', [])


def shown(count: int, cap: int = COUNT_CAP) -> str:
    """``1,000+`` above the cap, else the number with thousands separators."""
    return f"{cap:,}+" if count > cap else f"{count:,}"
