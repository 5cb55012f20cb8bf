"""What an organization configured for SSO, and who signed in through it."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from anneal_enterprise.sso import secrets as crypto
from core.models import Organization


class SsoSettings(models.Model):
    """Per-organization SSO policy: enforcement, API tokens, break-glass owners."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso_settings")
    enforce = models.BooleanField(default=False, help_text="Members must sign in through SSO.")
    require_for_tokens = models.BooleanField(default=False, help_text="Refuse members' API tokens too.")
    break_glass = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                         help_text="Owners who may still sign in with a password.")

    def __str__(self) -> str:
        return f"SSO settings of {self.organization}"


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


class VerifiedDomainQuerySet(models.QuerySet):
    def verified(self) -> "VerifiedDomainQuerySet":
        """Only domains proven by their DNS TXT record: the ones that route sign-in and allow linking."""
        return self.filter(verified_at__isnull=False)


class VerifiedDomain(models.Model):
    """An email domain an organization claims; it routes sign-in and allows linking once ``verified_at`` is set.

    A domain is added pending, with a random ``token``; it becomes verified when the DNS TXT record
    ``_anneal-verification.<domain>`` holds ``anneal-domain-verification=<token>`` (see ``domain_verification``).
    """

    RECORD_PREFIX = "_anneal-verification"
    VALUE_PREFIX = "anneal-domain-verification="

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sso_domains")
    domain = models.CharField(max_length=253, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    token = models.CharField(max_length=64, default=new_verification_token)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = VerifiedDomainQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def record_name(self) -> str:
        """The DNS name the admin publishes the TXT record at."""
        return f"{self.RECORD_PREFIX}.{self.domain}"

    @property
    def record_value(self) -> str:
        """The TXT record's expected value."""
        return f"{self.VALUE_PREFIX}{self.token}"


class IdentityProvider(models.Model):
    """One OpenID Connect or SAML identity provider of one organization."""

    OIDC = "oidc"
    SAML = "saml"
    KINDS = [(OIDC, "OpenID Connect"), (SAML, "SAML 2.0")]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="identity_providers")
    kind = models.CharField(max_length=8, choices=KINDS)
    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    # OpenID Connect
    issuer = models.URLField(blank=True, help_text="Issuer URL; discovery is read from /.well-known/openid-configuration.")
    client_id = models.CharField(max_length=255, blank=True)
    client_secret_encrypted = models.TextField(blank=True)
    scopes = models.CharField(max_length=255, default="openid email profile")
    oidc_discovery = models.JSONField(default=dict, blank=True,
                                      help_text="The endpoints read from the issuer's discovery document when an "
                                                "admin saved the provider; sign-in never fetches it.")
    # SAML
    idp_metadata_url = models.URLField(blank=True)
    idp_metadata_xml = models.TextField(blank=True)
    metadata_refreshed_at = models.DateTimeField(null=True, blank=True)
    sp_private_key_encrypted = models.TextField(blank=True)
    sp_certificate = models.TextField(blank=True)
    allow_idp_initiated = models.BooleanField(default=False)
    clock_skew_seconds = models.PositiveIntegerField(default=120)
    # Both
    email_attribute = models.CharField(max_length=255, default="email")
    name_attribute = models.CharField(max_length=255, default="name")
    groups_attribute = models.CharField(max_length=255, default="groups")
    role_mapping = models.JSONField(default=dict, blank=True, help_text='{"IdP group": "admin", ...}')
    default_role = models.CharField(max_length=16, default="member")
    require_mfa = models.BooleanField(default=False, help_text="Refuse sign-ins for which the provider asserts no MFA.")
    mfa_values = models.TextField(blank=True, help_text="Accepted OIDC acr or SAML AuthnContextClassRef values, one per "
                                                        "line; empty: the common multi-factor values.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}) of {self.organization}"

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(value)

    @property
    def sp_private_key(self) -> str:
        return crypto.decrypt(self.sp_private_key_encrypted)

    @sp_private_key.setter
    def sp_private_key(self, value: str) -> None:
        self.sp_private_key_encrypted = crypto.encrypt(value)


class ExternalIdentity(models.Model):
    """A user as a provider knows them: keyed on the provider's stable subject, never on email."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=512)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="unique_sso_subject")]


class SamlRequest(models.Model):
    """An AuthnRequest we sent, kept in the database so the cross-site POST back needs no cookie."""

    request_id = models.CharField(max_length=128, unique=True)
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    next_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class SeenAssertion(models.Model):
    """A SAML response or assertion id already accepted, so that a replay is refused."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=128)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "assertion_id"], name="unique_seen_assertion")]


def hash_scim_token(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class ScimToken(models.Model):
    """A per-organization SCIM bearer token, stored only as a hash."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)


class ScimUser(models.Model):
    """A member provisioned (or linked) by SCIM in one organization: the SCIM User resource.

    ``attributes`` holds the resource as the IdP last wrote it (everything but ``id``, ``meta``,
    ``userName``, ``active``, ``groups`` and ``password``); the account's email and name are taken from it
    when SCIM manages the account (see ``scim.ownership``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_name = models.CharField(max_length=255, blank=True)
    user_name_key = models.CharField(max_length=255, blank=True, help_text="userName compared case-insensitively.")
    external_id = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    created_account = models.BooleanField(default=False, help_text="SCIM created the account (rather than linking it).")
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_scim_user"),
                       models.UniqueConstraint(fields=["organization", "user_name_key"], name="unique_scim_user_name")]


class ScimGroup(models.Model):
    """A group pushed by SCIM; its name feeds the same role mapping as sign-in groups."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    attributes = models.JSONField(default=dict, blank=True, help_text='{"displays": {user id: member display}}')
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "display_name"], name="unique_scim_group")]


class MfaPolicy(models.Model):
    """An organization's enterprise MFA policy: phishing-resistant factors only, allowed authenticator models."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="enterprise_mfa_policy")
    phishing_resistant_only = models.BooleanField(default=False)
    enabled_at = models.DateTimeField(null=True, blank=True)
    allowed_aaguids = models.JSONField(default=list, blank=True,
                                       help_text="AAGUIDs of the passkey and security key models members may register; "
                                                 "empty: any.")

    def __str__(self) -> str:
        return f"MFA policy of {self.organization}"
