"""Installed license keys and the license version that every process watches."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LicenseKey(models.Model):
    """A license key that was installed; at most one is active per product. Rows are never deleted.

    ``product`` is the issuer's product id: ``anneal`` for Anneal Enterprise, a plugin's name
    for a plugin vendor's license. Each product's license is installed and removed on its own.
    """

    class Source(models.TextChoices):
        WEB = "web", "License page"
        API = "api", "REST API"
        CLI = "cli", "anneal license install"
        ENVIRONMENT = "environment", "ANNEAL_LICENSE_KEY"
        FILE = "file", "ANNEAL_LICENSE_FILE"
        TRIAL = "trial", "Offline trial"

    product = models.CharField(max_length=200, default="anneal",
                               help_text="The issuer's product id: anneal, or a plugin's name.")
    key = models.TextField(help_text="The armored key exactly as installed.")
    digest = models.CharField(max_length=64)
    license_id = models.CharField(max_length=200)
    licensee = models.CharField(max_length=500)
    key_id = models.CharField(max_length=200)
    key_kind = models.CharField(max_length=20)
    claims = models.JSONField(help_text="The verified claims, kept readable after removal.")
    source = models.CharField(max_length=20, choices=Source.choices)
    source_detail = models.CharField(max_length=1000, blank=True)
    installed_at = models.DateTimeField()
    installed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    is_active = models.BooleanField(default=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-installed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=models.Q(is_active=True),
                                    name="anneal_licensing_one_active_key_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.license_id} ({self.licensee})"


class LicenseState(models.Model):
    """One row (pk 1). ``version`` grows with every license change; processes poll it."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    expired_reported = models.CharField(max_length=200, blank=True,
                                        help_text="License id whose expiry event was emitted.")
    over_seats_reported = models.BooleanField(default=False)


class InstanceKey(models.Model):
    """This instance's own Ed25519 key, generated on first use; it signs usage reports.

    The private key is stored encrypted at rest (``core.secrets``, purpose
    ``anneal_enterprise.licensing.instance-key``); only the newest row signs.
    """

    key_id = models.CharField(max_length=64, unique=True)
    public_key = models.TextField(help_text="The base64 of the 32 raw bytes of the public key.")
    encrypted_private_key = models.TextField()
    created_at = models.DateTimeField()


class UsageSnapshot(models.Model):
    """One day's usage counts, hash-chained to the snapshot before it. Rows are never changed."""

    sequence = models.PositiveIntegerField(unique=True)
    day = models.DateField(unique=True)
    document = models.JSONField(help_text="The snapshot as reports carry it, hash included.")
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]


class Trial(models.Model):
    """The trial this instance started of its edition: one row per product, never deleted.

    A trial runs once per instance; the unique product is what refuses a second start, also when
    two admins click at the same moment, after the trial ended and after its license was removed.
    """

    product = models.CharField(max_length=200, unique=True)
    license_id = models.CharField(max_length=200, help_text="The trial grant's license id.")
    days = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField(help_text="When the trial's features switch off.")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    ended_reported = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Trial of {self.product} from {self.started_at:%Y-%m-%d}"
