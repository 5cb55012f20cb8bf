from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.roles import Role


class Organization(models.Model):
    """A team or company: it owns projects and has members with roles."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices(), default=Role.MEMBER.value)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership"),
        ]
        # The API's member list pages by user id within one organization (core.api.pagination),
        # the web's by membership id (the order they joined, core.web.paging).
        indexes = [models.Index(fields=["organization", "user"], name="membership_org_user"),
                   models.Index(fields=["organization", "id"], name="membership_org_joined")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} as {self.role}"


class Invitation(models.Model):
    """An email invitation to join an organization. The link's token is stored only as a hash."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices(), default=Role.MEMBER.value)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The members page lists an organization's pending invitations, newest first (core.web.paging).
        indexes = [models.Index(fields=["organization", "-id"], name="invitation_pending",
                                condition=models.Q(accepted_at=None, revoked_at=None))]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
