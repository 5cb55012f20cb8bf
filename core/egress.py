"""The egress ledger: every destination this instance may connect to, and when it last did.

Shown to staff on the web UI's egress page and by ``GET /api/v1/system/egress/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from core import outbound
from core.plugins import hooks
from core.plugins.types import EgressDestination
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
