"""How a time reads on a page: one format everywhere, the exact UTC instant on hover.

``{{ value|when }}`` renders ``<time datetime="2026-12-01T21:43:48Z" title="2026-12-01T21:43:48Z UTC" data-local>
1 Dec 2026, 21:43 UTC</time>``. The text is UTC until ``anneal/local-time.js`` rewrites it in the
viewer's own time zone (the page stays correct without JavaScript, only in UTC). Exports and the
API carry the ISO text (``iso_utc``), never the readable one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils.html import format_html
from django.utils.safestring import SafeString

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def as_utc(value: datetime | date | str) -> datetime | date | None:
    """``value`` as an aware UTC datetime (a naive one is taken as UTC), a ``date`` as is, or ``None``."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return value
    return None


def iso_utc(value: datetime) -> str:
    """The exact instant, e.g. ``2026-12-01T21:45:20.504075Z`` (microseconds only when there are any)."""
    moment = as_utc(value)
    if not isinstance(moment, datetime):
        raise TypeError(f"iso_utc() takes a datetime, not {type(value).__name__}")
    return moment.replace(tzinfo=None).isoformat() + "Z"


def readable_utc(moment: datetime | date) -> str:
    """``1 Dec 2026, 21:43 UTC`` (or ``1 Dec 2026`` for a date)."""
    day = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
    return f"{day}, {moment:%H:%M} UTC" if isinstance(moment, datetime) else day


def when(value: datetime | date | str | None) -> SafeString | str:
    """The template filter ``when``: a ``<time>`` element, or ``""`` for no value.

    A value that is not a time (a typo'd field, an unparsable string) is shown as it is, so a bug
    is visible rather than hidden behind an empty cell.
    """
    if value is None or value == "":
        return ""
    moment = as_utc(value)
    if moment is None:
        return str(value)
    if isinstance(moment, datetime):
        exact = iso_utc(moment)
        return format_html('<time datetime="{}" title="{} UTC" data-local="datetime">{}</time>',
                           exact, exact, readable_utc(moment))
    return format_html('<time datetime="{}" data-local="date">{}</time>', moment.isoformat(), readable_utc(moment))
