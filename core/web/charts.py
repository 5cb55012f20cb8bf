"""Charts drawn as inline SVG on the server: no script, no external file, readable without colour."""

from __future__ import annotations

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 160, 12, 22, 44


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    step = 10 ** (len(str(value)) - 1)
    return ((value + step - 1) // step) * step


def daily_bars(points: list[tuple[date, int]], *, label: str, unit: str) -> SafeString:
    """A bar per day; each bar has a ``<title>`` with its day and quantity (shown on hover, read aloud)."""
    top = _nice_max(max((quantity for _, quantity in points), default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(1, len(points))
    bars = []
    for index, (day, quantity) in enumerate(points):
        height = round(plot_height * quantity / top, 1)
        x = round(LEFT + index * slot + slot * 0.1, 1)
        bars.append((x, round(TOP + plot_height - height, 1), round(slot * 0.8, 1), height,
                     day.isoformat(), quantity, unit))
    first = points[0][0].isoformat() if points else ""
    last = points[-1][0].isoformat() if points else ""
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" height="{h}" '
        'aria-label="{label}: daily quantities from {first} to {last}, at most {top} {unit}">'
        '<line x1="{left}" y1="{base}" x2="{w}" y2="{base}" stroke="currentColor" stroke-width="1"/>'
        '<text x="{tx}" y="{ty}" font-size="11" text-anchor="end" fill="currentColor">{top}</text>'
        '<text x="{tx}" y="{base}" font-size="11" text-anchor="end" fill="currentColor">0</text>'
        "{bars}"
        '<text x="{left}" y="{h}" font-size="11" fill="currentColor">{first}</text>'
        '<text x="{w}" y="{h}" font-size="11" text-anchor="end" fill="currentColor">{last}</text>'
        "</svg>",
        w=WIDTH, h=HEIGHT, label=label, first=first, last=last, top=top, unit=unit, left=LEFT,
        base=TOP + plot_height, tx=LEFT - 4, ty=TOP + 8,
        bars=format_html_join(
            "", '<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor" opacity="0.7">'
                "<title>{}: {} {}</title></rect>", bars),
    )
