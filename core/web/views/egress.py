"""The staff-only egress ledger: every destination this instance may connect to, and when it last did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import outbound
from core.plugins import hooks
from core.plugins.types import EgressDestination
from core.web.views.common import forbidden


@dataclass(frozen=True)
class LedgerRow:
    destination: EgressDestination
    plugin: str
    last_contact: datetime | None


def core_destinations() -> list[EgressDestination]:
    """What the core itself connects to: the SMTP server, when email goes out over SMTP."""
    backend = settings.EMAIL_BACKEND
    if not backend.endswith("smtp.EmailBackend"):
        return []
    return [EgressDestination("Email server", "SMTP (ANNEAL_EMAIL_HOST)", f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}")]


def ledger() -> list[LedgerRow]:
    contacts = outbound.last_contacts()
    entries = [("core", d) for d in core_destinations()] + hooks.egress_destinations()
    rows = [LedgerRow(d, plugin, contacts.get(outbound.key_for_url(d.address))) for plugin, d in entries
            if isinstance(d, EgressDestination)]
    return sorted(rows, key=lambda r: (r.destination.category, r.destination.organization, r.destination.name))


@login_required
def egress_ledger(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "The egress ledger is for staff accounts only; ask an administrator.")
    return render(request, "anneal/egress.html", {
        "rows": ledger(), "allowlist": outbound.current_allowlist().describe(),
    })
