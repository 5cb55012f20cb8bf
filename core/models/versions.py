from __future__ import annotations

from django.db import models


class SharedVersion(models.Model):
    """A counter per named process cache: it grows with every change of what the cache holds.

    Every process polls the counters at most once a second (:mod:`core.shared_cache`) and
    reloads a cache whose counter moved, so a change made by one process reaches all of them.
    """

    name = models.CharField(max_length=100, unique=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
