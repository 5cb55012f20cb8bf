"""Runtime hooks of the prompts plugin, registered by the core once apps are ready."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from core import access
from core.plugins import DiagnosticCollector, EventType, Meter, NavItem, hookimpl
from core.roles import Permission

EVENT_TYPES = [
    EventType("prompt.created", "A prompt was added to a project, with its first version.", "prompt"),
    EventType("prompt.version_created", "A prompt's text was edited, creating a new version.", "prompt"),
    EventType("prompt.rolled_back", "A prompt was rolled back to the text of an earlier version.", "prompt", "notice"),
    EventType("prompt.updated", "A prompt was renamed or its description changed.", "prompt"),
    EventType("prompt.deleted", "A prompt and all its versions were deleted.", "prompt", "notice"),
]


@hookimpl
def anneal_event_types() -> list[EventType]:
    return EVENT_TYPES


@hookimpl
def anneal_meters() -> list[Meter]:
    return [Meter("prompts.versions", "version", "Prompt versions saved: a new prompt, an edit or a rollback.")]


@hookimpl
def anneal_navigation(request: Any, organization: Any) -> list[NavItem]:
    if organization is None:
        return []
    return [NavItem("Prompts", reverse("prompts:index", args=[organization.slug]), section="organization", order=30)]


@hookimpl
def anneal_template_slot(slot: str, request: Any, context: dict[str, Any]) -> str | None:
    """On a project's page: its prompts, with a link to manage them."""
    if slot != "project" or "project" not in context:
        return None
    from anneal_prompts.models import Prompt

    project = context["project"]
    if not access.allows_role(access.role_of(request.user, project.organization), Permission.VIEW):
        return None
    return render_to_string("anneal_prompts/project_slot.html", {
        "project": project, "organization": project.organization,
        "prompts": list(Prompt.objects.filter(project=project).select_related("current_version")[:10]),
        "total": Prompt.objects.filter(project=project).count(),
    })


def _counts() -> dict[str, int]:
    from anneal_prompts.models import Prompt, PromptVersion

    return {"prompts": Prompt.objects.count(), "versions": PromptVersion.objects.count()}


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    return [DiagnosticCollector("prompts", "How many prompts and prompt versions exist (counts only).", _counts)]


@hookimpl
def anneal_urlpatterns() -> str:
    return "anneal_prompts.web"


@hookimpl
def anneal_api_urlpatterns() -> str:
    return "anneal_prompts.api"
