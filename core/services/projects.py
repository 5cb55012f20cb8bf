from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from core.events import Target, current_actor, emit
from core.events.diff import snapshot
from core.models import Organization, Project
from core.plugins import hooks
from core.services.errors import PolicyRefused, ServiceError
from core.services.names import clean_name, clean_text

PROJECT_FIELDS = ["name", "slug", "description"]
NAME_MAX = 200


def project_target(project: Project) -> Target:
    return Target("project", str(project.pk), project.slug)


def create_project(organization: Organization, name: str, slug: str | None = None, description: str = "") -> Project:
    """Create a project (slug from the name unless given) and emit ``project.created``.

    Raises ``ServiceError`` (with ``field``) for an invalid name or a slug the organization already uses.
    The caller checks permissions (``core.access.require(user, organization, Permission.WRITE)``).
    """
    name = clean_name(name, what="project's name", max_length=NAME_MAX)
    description = clean_text(description, what="project's description")
    slug = slugify(slug or name)[:100].strip("-")  # a slug made from a long name fits the column
    if not slug:
        raise ServiceError("A project needs a name with at least one letter or digit.", field="name")
    refusal = hooks.action_policy("project.create", current_actor(), organization, {"name": name, "slug": slug})
    if refusal is not None:
        raise PolicyRefused(refusal.reason, refusal.code)
    try:
        with transaction.atomic():
            project = Project.objects.create(organization=organization, name=name, slug=slug, description=description)
            emit("project.created", organization=organization, target=project_target(project),
                 after=snapshot(project, PROJECT_FIELDS))
    except IntegrityError:
        raise ServiceError(f"This organization already has a project {slug!r}.", code="unique", field="slug") from None
    return project


def update_project(project: Project, **changes: Any) -> Project:
    """Change ``name``, ``slug`` or ``description`` and emit ``project.updated`` with the diff."""
    before = snapshot(project, PROJECT_FIELDS)
    for name, value in changes.items():
        if name not in PROJECT_FIELDS:
            raise ServiceError(f"Unknown project field {name!r}.", field=name)
        if name == "name":
            value = clean_name(value, what="project's name", max_length=NAME_MAX)
        elif name == "description":
            value = clean_text(value, what="project's description")
        setattr(project, name, slugify(value) if name == "slug" else value)
    try:
        with transaction.atomic():
            project.save()
            emit("project.updated", organization=project.organization_id, target=project_target(project),
                 before=before, after=snapshot(project, PROJECT_FIELDS))
    except IntegrityError:
        raise ServiceError("This organization already has a project with that slug.", code="unique", field="slug") from None
    return project


def delete_project(project: Project) -> None:
    """Delete the project and emit ``project.deleted``."""
    with transaction.atomic():
        emit("project.deleted", organization=project.organization_id, target=project_target(project),
             before=snapshot(project, PROJECT_FIELDS))
        project.delete()
