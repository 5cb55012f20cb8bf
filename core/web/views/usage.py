"""An organization's Usage page: each meter over time as a chart, and the same numbers as CSV.

Organization admins only. ``?days=`` picks the period (7, 30 or 90 days ending today, UTC).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import metering
from core.roles import Permission
from core.web.charts import daily_bars
from core.web.views.common import organization_view

PERIODS = (7, 30, 90)


def period(request: HttpRequest) -> tuple[int, list]:
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in PERIODS else 30
    last = metering.today()
    return days, [last - timedelta(days=days - 1), last]


@organization_view(Permission.MANAGE)
def usage(request: HttpRequest) -> HttpResponse:
    days, (first, last) = period(request)
    found = metering.series(request.organization, first, last)
    charts = [(item, daily_bars(item.days, label=item.name, unit=item.unit)) for item in found]
    return render(request, "anneal/usage.html", {"organization": request.organization, "charts": charts,
                                                 "days": days, "periods": PERIODS, "first": first, "last": last})


@organization_view(Permission.MANAGE)
def usage_csv(request: HttpRequest) -> HttpResponse:
    days, (first, last) = period(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "meter", "unit", "quantity"])
    for item in metering.series(request.organization, first, last):
        for day, quantity in item.days:
            writer.writerow([day.isoformat(), item.name, item.unit, quantity])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="usage-{request.organization.slug}-{first.isoformat()}-{last.isoformat()}.csv"')
    return response
