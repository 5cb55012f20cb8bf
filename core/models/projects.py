from __future__ import annotations

from django.db import models
from django.utils import timezone

from core.models.organizations import Organization


class Project(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    # Not indexed alone: every look-up and page is within an organization (unique_project_slug);
    # with an index of the slug alone PostgreSQL walked it past every other organization's
    # "project" for a big organization's first page (9,999 rows removed by filter at 10,000).
    slug = models.SlugField(max_length=100, db_index=False)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_project_slug"),
        ]

    def __str__(self) -> str:
        return self.name
