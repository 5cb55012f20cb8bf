"""Prompts of a project and their immutable versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import Project


class ImmutableVersion(Exception):
    """A prompt version cannot be changed or deleted once written; write a new version instead."""


class Prompt(models.Model):
    """A named prompt in a project. Its text lives in versions; ``current_version`` is the latest."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="prompts")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    current_version = models.ForeignKey("PromptVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project_id", "slug"]
        constraints = [models.UniqueConstraint(fields=["project", "slug"], name="unique_prompt_slug")]

    def __str__(self) -> str:
        return self.name


class PromptVersion(models.Model):
    """One text of a prompt. Written once, never changed: edits and rollbacks add versions."""

    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    note = models.CharField(max_length=300, blank=True, help_text="What changed and why.")
    restored_from = models.PositiveIntegerField(null=True, blank=True,
                                                help_text="The version this one rolled back to, if any.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["prompt_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["prompt", "number"], name="unique_prompt_version")]

    def __str__(self) -> str:
        return f"{self.prompt} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableVersion(f"Version {self.number} of {self.prompt} cannot be changed; save a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersion(f"Version {self.number} of {self.prompt} cannot be deleted on its own.")
