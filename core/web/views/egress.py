"""The staff-only egress ledger page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import outbound
from core.egress import ledger
from core.web.views.common import forbidden


@login_required
def egress_ledger(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "The egress ledger is for staff accounts only; ask an administrator.")
    return render(request, "anneal/egress.html", {
        "rows": ledger(), "allowlist": outbound.current_allowlist().describe(),
    })
