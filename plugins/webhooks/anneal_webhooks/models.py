"""Endpoints that organizations subscribe, and the deliveries (with their attempts) sent to them."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import Organization
from core.secrets import EncryptedTextField

SECRET_PREFIX = "whsec_"
SECRET_PURPOSE = "anneal_webhooks.endpoint-secret"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """An HTTPS URL that receives the organization's events of the chosen types."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text='Event type names, or ["*"] for every type.')
    secret = EncryptedTextField(purpose=SECRET_PURPOSE, default=new_secret,
                                help_text="Signs each delivery (HMAC-SHA256); stored encrypted (core.secrets).")
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id", "id"]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class Delivery(models.Model):
    """One event to send to one endpoint, retried until it succeeds or runs out of attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=100)
    body = models.TextField(help_text="The exact JSON body sent, so every attempt signs the same bytes.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
                   # An endpoint's delivery log, newest first, a page at a time.
                   models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="unique_webhook_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id", "number"]

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300
