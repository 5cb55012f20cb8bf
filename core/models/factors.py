"""Second factors a person enrolls: an authenticator app (TOTP), passkeys and recovery codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.secrets import EncryptedTextField


class TotpAuthenticator(models.Model):
    """An authenticator app (RFC 6238). One per person; unconfirmed until a first right code.

    ``last_used_step`` is the 30-second step of the last accepted code: a code of that step or an
    earlier one is refused, so a code seen over someone's shoulder cannot be used again.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp")
    secret = EncryptedTextField(purpose="core.mfa.totp-secret")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Authenticator app of {self.user}"


class RecoveryCode(models.Model):
    """A single-use code for when the other factors are lost. Stored only as a SHA-256 hash.

    Codes carry 80 random bits, so an unsalted hash cannot be reversed by guessing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")]


class Passkey(models.Model):
    """A WebAuthn credential: a security key (roaming) or a platform passkey.

    ``discoverable`` credentials can also sign a person in without a password.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100)
    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url")
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    aaguid = models.CharField(max_length=36, blank=True)
    transports = models.JSONField(default=list, blank=True)
    discoverable = models.BooleanField(default=False)
    backed_up = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.name} of {self.user}"


class MfaRequirement(models.Model):
    """An organization's requirement that its members use a second factor.

    Members without one are guided through enrollment at sign-in once their grace period ends:
    ``grace_days`` after the requirement was switched on, or after they joined if that is later.
    """

    organization = models.OneToOneField("core.Organization", on_delete=models.CASCADE,
                                        related_name="mfa_requirement")
    required = models.BooleanField(default=False)
    grace_days = models.PositiveIntegerField(default=7)
    enabled_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self) -> str:
        return f"MFA requirement of {self.organization}"
