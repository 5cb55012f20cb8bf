"""The last time the server contacted each destination, for the egress ledger page.

A destination is identified by its ``host:port`` (lower case), whatever the protocol. Writes
are cheap: at most one per destination per minute and process, remembered in the cache.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

logger = logging.getLogger("anneal.outbound")

WRITE_INTERVAL = 60


def destination_key(host: str, port: int) -> str:
    host = host.strip("[]").lower().rstrip(".")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def key_for_url(url: str) -> str:
    """The ledger key of a URL (``https://idp.example/x`` -> ``idp.example:443``) or of ``host:port``."""
    parts = urlsplit(url if "://" in url else f"tcp://{url}")
    try:
        port = parts.port or {"https": 443, "http": 80, "smtp": 25}.get(parts.scheme, 0)
    except ValueError:
        port = 0
    return destination_key(parts.hostname or "", port)


def record_contact(host: str, port: int) -> None:
    """Note a successful connection to ``host:port``; never raises."""
    key = destination_key(host, port)
    try:
        from django.core.cache import cache
        from django.db import IntegrityError, transaction
        from django.utils import timezone

        from core.models import OutboundContact

        cache_key = f"anneal-outbound-contact:{key}"
        if cache.get(cache_key):
            return
        now = timezone.now()
        if not OutboundContact.objects.filter(destination=key).update(last_contact_at=now):
            try:
                with transaction.atomic():
                    OutboundContact.objects.create(destination=key, last_contact_at=now)
            except IntegrityError:
                OutboundContact.objects.filter(destination=key).update(last_contact_at=now)
        cache.set(cache_key, 1, WRITE_INTERVAL)
    except Exception:  # the ledger is informative: it never breaks a connection that worked
        logger.debug("Could not record the outbound contact with %s", key, exc_info=True)


def last_contacts() -> dict[str, datetime]:
    """When the instance last connected to each destination (``host:port`` or URL), from the contact ledger."""
    from core.models import OutboundContact

    return dict(OutboundContact.objects.values_list("destination", "last_contact_at"))
