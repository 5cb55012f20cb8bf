"""Handing a usage report to an admin: the report and the audit event of its download."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anneal_enterprise.licensing.usage.reports import ReportRequest, build, render
from core.events import Target, emit


def download(request: ReportRequest, source: str) -> tuple[str, str]:
    """``(filename, content)`` of the report; records ``license.usage_report_downloaded``."""
    report = build(request)
    content = render(report)
    license: dict[str, Any] = report["license"]
    with transaction.atomic():
        emit("license.usage_report_downloaded", target=Target("license", license["license_id"], license["licensee"]),
             data={"first_day": request.first_day.isoformat(), "last_day": request.last_day.isoformat(),
                   "includes_names": request.include_names, "product": request.product, "source": source,
                   "snapshots": len(report["snapshots"]), "signature": report["signature"]["value"]})
    return request.filename, content
