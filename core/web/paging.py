"""Keyset pages for the web UI's lists: every page costs what the first page costs, at any size.

    page = keyset_page(request, Membership.objects.filter(organization=org), ("user__email",))
    render(request, "…", {"memberships": page.rows, "page": page})   # {% include "anneal/_pager.html" %}

A page is ``WHERE <filters> AND key > <the last row's key> ORDER BY key LIMIT size + 1``: one
range scan of an index whose columns are the filter's and the key's (the extra row says whether
a next page exists), in a subquery that selects the page's primary keys only, so the scan can be
index-only (``core.keyset.page_rows``, which the API's lists use too). No ``COUNT(*)`` and no
``OFFSET``. ``key`` names one or more fields (``-`` for descending) whose values together are
unique, such as ``("user__email",)`` or ``("-created_at", "id")``; the page's position travels in the query parameter ``param``
(``after`` or ``before`` plus the key's values, base64 of JSON), so a link stays valid while
rows are added or removed before it, and two lists of one page can page independently with
different parameter names. A position that was not written by this module (edited, truncated,
of another list) shows the first page with a message saying so.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Sequence, TypeVar

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.http import HttpRequest, QueryDict

from core.keyset import page_rows

T = TypeVar("T", bound=Model)

PAGE_SIZE = 50
MAX_POSITION_LENGTH = 2000
INVALID_POSITION = "That page link is not valid (it may have been cut short): showing the first page."


@dataclass(frozen=True)
class Page(Generic[T]):
    """The rows of one page and the query strings of its neighbours (``None`` at either end)."""

    rows: list[T]
    next_query: str | None = None
    previous_query: str | None = None
    first_query: str | None = None
    label: str = "Pages"

    @property
    def has_other_pages(self) -> bool:
        return any(q is not None for q in (self.next_query, self.previous_query, self.first_query))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def _field_of(model: type[Model], path: str) -> Field:
    """The model field at the end of ``path`` (``user__email`` → ``User.email``)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model  # type: ignore[assignment]
    try:
        return model._meta.get_field(name)  # type: ignore[return-value]
    except FieldDoesNotExist:  # "organization_id" rather than "organization"
        return next(f for f in model._meta.concrete_fields if f.attname == name)


def _value_of(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def encode(direction: str, values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v if isinstance(v, (int, str)) else str(v)
             for v in values]
    return base64.urlsafe_b64encode(json.dumps([direction, *plain], separators=(",", ":")).encode()).decode()


def decode(model: type[Model], key: Sequence[str], position: str) -> tuple[str, list[Any]]:
    """``(direction, values)`` of a position, or ``ValueError`` if it is not one of this list's."""
    if len(position) > MAX_POSITION_LENGTH:
        raise ValueError("too long")
    try:
        direction, *raw = json.loads(base64.urlsafe_b64decode(position.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise ValueError("not a position") from None
    if direction not in ("after", "before") or len(raw) != len(key):
        raise ValueError("not a position of this list")
    values = []
    for name, value in zip(key, raw):
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ValueError("not a position of this list")
        target = _field_of(model, name.lstrip("-"))
        try:
            converted = target.to_python(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise ValueError("not a position of this list") from None
        if isinstance(converted, int) and not -(2**63) <= converted < 2**63:
            raise ValueError("out of range")
        if isinstance(converted, str) and "\x00" in converted:
            raise ValueError("not a position of this list")
        values.append(converted)
    return direction, values


def beyond(key: Sequence[str], values: Sequence[Any], forward: bool = True) -> Q:
    """Rows strictly after (``forward``) or before the row whose key is ``values``, in ``key``'s order.

    ``(a, b) > (x, y)`` written as ``a >= x AND (a > x OR (a = x AND b > y))``: the leading
    ``a >= x`` lets the database start the index scan at the position instead of filtering.
    """
    def op(name: str, strict: bool) -> str:
        ascending = not name.startswith("-")
        greater = ascending == forward
        return ("gt" if greater else "lt") + ("" if strict else "e")

    names = [name.lstrip("-") for name in key]
    alternatives = Q()
    for index, name in enumerate(names):
        equal = {f"{names[i]}": values[i] for i in range(index)}
        alternatives |= Q(**equal, **{f"{name}__{op(key[index], strict=True)}": values[index]})
    if len(names) == 1:
        return alternatives
    return Q(**{f"{names[0]}__{op(key[0], strict=False)}": values[0]}) & alternatives


def _reversed(key: Sequence[str]) -> list[str]:
    return [name[1:] if name.startswith("-") else f"-{name}" for name in key]


def page_query(queryset: QuerySet[T], key: Sequence[str], values: Sequence[Any] | None, forward: bool,
               size: int) -> QuerySet[T]:
    """The rows of a page (``size + 1``: one more says there is a next page), in ``key``'s order
    (reversed when going back)."""
    order = key if forward else _reversed(key)
    positioned = queryset.filter(beyond(key, values, forward)) if values is not None else queryset
    return page_rows(positioned, order, size + 1)


def keyset_page(request: HttpRequest, queryset: QuerySet[T], key: Sequence[str], *, param: str = "page",
                size: int = PAGE_SIZE, label: str = "Pages") -> Page[T]:
    """The page of ``queryset`` (ordered by ``key``) that ``request.GET[param]`` points at."""
    position = request.GET.get(param)
    direction, values = "after", None
    if position:
        try:
            direction, values = decode(queryset.model, key, position)
        except ValueError:
            messages.error(request, INVALID_POSITION)
    forward = direction == "after"
    rows = list(page_query(queryset, key, values, forward, size))
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()

    def link(direction: str, row: T) -> str:
        query: QueryDict = request.GET.copy()
        query[param] = encode(direction, [_value_of(row, name.lstrip("-")) for name in key])
        return query.urlencode()

    first = request.GET.copy()
    first.pop(param, None)
    has_next = more if forward else values is not None
    has_previous = values is not None if forward else more
    return Page(rows=rows,
                next_query=link("after", rows[-1]) if rows and has_next else None,
                previous_query=link("before", rows[0]) if rows and has_previous else None,
                first_query=first.urlencode() if values is not None else None,
                label=label)
