"""Support bundles and support access grants."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core import product


class SupportBundle(models.Model):
    """A redacted diagnostics archive, built in the background and deleted after ``expires_at``."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        READY = "ready"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    collectors = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True, help_text="age public keys it is encrypted to")
    files = models.JSONField(default=dict, blank=True, help_text="The redacted content, file name to text.")
    warnings = models.JSONField(default=list, blank=True)
    archive = models.BinaryField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Support bundle {self.id}"

    @property
    def encrypted(self) -> bool:
        return bool(self.recipients)

    @property
    def ordered_files(self) -> list[tuple[str, str]]:
        """The preview in archive order: manifest, one file per collector, then warnings."""
        names = list(self.files)
        rank = {f"{c}.{ext}": i for i, c in enumerate(self.collectors) for ext in ("json", "txt")}
        names.sort(key=lambda n: (n != "manifest.json", n == "warnings.txt", rank.get(n, len(rank)), n))
        return [(name, self.files[name]) for name in names]

    @property
    def filename(self) -> str:
        stamp = self.created_at.strftime("%Y%m%d-%H%M%S")
        return f"{product.current().file_prefix}-support-{stamp}.zip" + (".age" if self.encrypted else "")


class SupportGrant(models.Model):
    """An organization owner's consent for the vendor's support to act in it for a while."""

    class Scope(models.TextChoices):
        READ_ONLY = "read_only", "Read-only"
        READ_WRITE = "read_write", "Read-write"

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="support_grants")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)
    ticket = models.CharField(max_length=100, blank=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ_ONLY)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True)
    engineer = models.CharField(max_length=100, blank=True, help_text="The name the engineer signed in with.")
    principal = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="support_grant")
    redeemed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    extended_count = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    expiry_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Support grant {self.pk} for {self.organization}"

    def status_at(self, now=None) -> str:  # type: ignore[no-untyped-def]
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "in use" if self.redeemed_at else "waiting for the engineer"

    @property
    def status(self) -> str:
        return self.status_at()

    def is_active(self, now=None) -> bool:  # type: ignore[no-untyped-def]
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def principal_name(self) -> str:
        return f"support:{self.engineer}" if self.engineer else "support"

    @property
    def role(self) -> str:
        """The organization role the support principal holds while the grant is active."""
        return "admin" if self.scope == self.Scope.READ_WRITE else "viewer"
