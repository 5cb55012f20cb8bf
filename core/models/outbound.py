from __future__ import annotations

from django.db import models


class OutboundContact(models.Model):
    """When the server last connected to a destination (``host:port``), for the egress ledger.

    Written by :mod:`core.outbound` at most once a minute per destination.
    """

    destination = models.CharField(max_length=300, unique=True)
    last_contact_at = models.DateTimeField()

    class Meta:
        ordering = ["destination"]

    def __str__(self) -> str:
        return self.destination
