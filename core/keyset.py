"""The rows of one page of a list, read so that the list's index answers it at any size.

    rows = page_rows(AuditRecord.objects.filter(organization_id=7), ("-id",), limit=51)

The one query every keyset page runs (the web UI's ``core.web.paging``, the API's
``core.api.pagination`` and the audit log's pages): the page's primary keys first, alone, in a
subquery, then the rows of those keys::

    SELECT … WHERE <filters> AND pk IN (SELECT pk WHERE <filters> ORDER BY <key> LIMIT n) ORDER BY <key>

An index holding the filter's and the key's columns answers the subquery without reading rows
(index-only), so PostgreSQL does not walk the primary key past other organizations' newer rows
instead (the plain ``WHERE organization_id = ? ORDER BY id DESC LIMIT n`` removed 20,000 rows by
filter for a big organization's first page while another organization wrote; plans in
docs/benchmarks.md, "Scale"). The outer query reads ``n`` rows by primary key.
"""

from __future__ import annotations

from typing import Sequence, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)

__all__ = ["page_rows"]


def page_rows(queryset: QuerySet[T], order: Sequence[str], limit: int, offset: int = 0) -> QuerySet[T]:
    """``queryset`` ordered by ``order``, rows ``offset`` to ``offset + limit``, by primary keys first.

    ``queryset`` keeps its ``select_related`` and ``prefetch_related``; ``offset`` is for a
    bounded skip inside a run of equal keys (the API cursor's), never for reaching a page.
    """
    page_keys = queryset.order_by(*order).values("pk")[offset: offset + limit]
    return queryset.filter(pk__in=page_keys).order_by(*order)
