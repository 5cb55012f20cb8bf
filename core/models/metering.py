from __future__ import annotations

from django.db import models


class MeterUsage(models.Model):
    """How much of a meter an organization used on a day (UTC), aggregated by ``core.metering``.

    One row per organization, meter and day; ``quantity`` grows as buffered usage is flushed.
    """

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="meter_usage")
    meter = models.CharField(max_length=200)
    day = models.DateField()
    quantity = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["day", "meter"]
        constraints = [models.UniqueConstraint(fields=["organization", "meter", "day"],
                                               name="core_meter_usage_one_row_per_day")]
        indexes = [models.Index(fields=["meter", "day"], name="core_meter_usage_meter_day")]

    def __str__(self) -> str:
        return f"{self.meter} {self.day}: {self.quantity}"
