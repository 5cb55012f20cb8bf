from __future__ import annotations

from django.db import models
from django.utils import timezone

from core.models.organizations import Organization


class Project(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_project_slug"),
        ]
        # A page of an organization's projects reads its ids from this index alone (index-only,
        # core.keyset): with the unique index, which lacks the id, PostgreSQL walked the slug index
        # past every other organization's "project" (9,999 rows removed by filter at 10,000 organizations).
        indexes = [models.Index(fields=["organization", "slug", "id"], name="project_org_slug_id")]

    def __str__(self) -> str:
        return self.name
