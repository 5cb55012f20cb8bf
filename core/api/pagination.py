"""List pagination: a keyset cursor, so the first and the last page cost the same at any size.

Every list of the API answers ``{"next", "previous", "results"}``; ``next`` and ``previous`` are
links carrying an opaque ``cursor`` (the ordering key of the row the page ends at, never an
offset), ``page_size`` chooses the page size (default 50, at most 200). A page is one indexed
range scan: ``WHERE <filters> AND key > <cursor> ORDER BY key LIMIT page_size + 1``, selecting the
page's primary keys only and then their rows (``core.keyset.page_rows``, as the web UI's lists),
so the filter's index answers it rather than a walk of the primary key. There is no ``count``,
because counting every row is what made large lists slow.

A view names its ordering in ``cursor_ordering``: one unique (or nearly unique and unchanging)
column such as ``"slug"`` or ``"-created_at"``; rows that share a value are told apart by a
bounded offset inside the cursor. A cursor that was not produced by the API (not base64, a
position of the wrong type, out of range) answers 400 with ``code: "invalid_cursor"``; the
retired ``page`` parameter answers 400 too, so an old client that counts pages stops instead of
reading the first page forever.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request

from core.keyset import page_rows

MAX_POSITION_LENGTH = 500
_INT64 = (-(2**63), 2**63 - 1)

INVALID_CURSOR = "The cursor is not valid: follow the `next` or `previous` link of the list you are reading."
PAGE_RETIRED = "Lists are paged with a cursor, not page numbers: follow the `next` link of the previous page."


def _invalid(detail: str = INVALID_CURSOR, field: str = "cursor") -> ValidationError:
    return ValidationError({field: [detail]}, code="invalid_cursor")


def check_position(model: type[models.Model], attribute: str, position: str) -> None:
    """A 400 naming the cursor unless ``position`` is a value ``model.attribute`` can be compared with."""
    if len(position) > MAX_POSITION_LENGTH or "\x00" in position:
        raise _invalid()
    try:
        field = model._meta.get_field(attribute)
    except FieldDoesNotExist:
        field = next((f for f in model._meta.concrete_fields if f.attname == attribute), None)
        if field is None:
            raise
    try:
        value = field.to_python(position)
    except (DjangoValidationError, ValueError, TypeError, OverflowError):
        raise _invalid() from None
    if isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)) and isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise _invalid()
    if isinstance(value, datetime) and timezone.is_naive(value):
        raise _invalid()  # the API writes every time with its offset


class Pagination(CursorPagination):
    """The API's default pagination (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``)."""

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
    cursor_query_description = "The page to read: the cursor from the `next` or `previous` link of another page."
    page_size_query_description = "Rows per page (default 50, at most 200)."
    invalid_cursor_message = INVALID_CURSOR

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any] | None:
        if "page" in request.query_params:
            raise _invalid(PAGE_RETIRED, field="page")
        self._model = queryset.model
        return super().paginate_queryset(_ByKeysFirst(queryset), request, view)

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise _invalid() from None
        except (UnicodeError, ValueError):
            raise _invalid() from None
        if cursor is None or cursor.position is None:
            return cursor
        check_position(self._model, self.ordering[0].lstrip("-"), cursor.position)
        return cursor

    def _get_position_from_instance(self, instance: Any, ordering: tuple[str, ...]) -> str:
        value = instance[ordering[0].lstrip("-")] if isinstance(instance, dict) else getattr(
            instance, ordering[0].lstrip("-"))
        return value.isoformat() if isinstance(value, datetime) else str(value)


class _ByKeysFirst:
    """What DRF's cursor pagination orders, filters and slices: a queryset whose slice reads the
    page by its primary keys first (``core.keyset.page_rows``), as the web UI's lists do."""

    def __init__(self, queryset: QuerySet[Any], order: tuple[str, ...] = ()) -> None:
        self.queryset, self.order = queryset, order

    def order_by(self, *order: str) -> _ByKeysFirst:
        return _ByKeysFirst(self.queryset, order)

    def filter(self, *args: Any, **kwargs: Any) -> _ByKeysFirst:
        return _ByKeysFirst(self.queryset.filter(*args, **kwargs), self.order)

    def __getitem__(self, window: slice) -> QuerySet[Any]:
        start = window.start or 0
        return page_rows(self.queryset, self.order, window.stop - start, offset=start)


class NumberedPagination(PageNumberPagination):
    """Page numbers and a count, for lists ordered by relevance (search results), which a key cannot page."""

    page_size_query_param = "page_size"
    max_page_size = 200
