from __future__ import annotations

from django.db import models


class SharedVersion(models.Model):
    """A version stamp per named process cache: a new random value with every change of what it holds.

    Every process polls the stamps at most once a second (:mod:`core.shared_cache`) and
    reloads a cache whose stamp changed, so a change made by one process reaches all of them.
    """

    name = models.CharField(max_length=100, unique=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
