"""Creating, editing, rolling back and deleting prompts. Every change emits an event in its transaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from core.events import Target, emit
from core.models import Project
from core.services import names
from core import metering
from core.plugins import record_usage
from core.services.errors import PolicyRefused, ServiceError

from anneal_prompts.models import Prompt, PromptVersion

MAX_BODY = 100_000


class PromptError(ValueError):
    """A change that cannot be made, with a message a person can act on."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


VERSIONS = "prompts.versions"


def prompt_target(prompt: Prompt) -> Target:
    return Target("prompt", str(prompt.pk), f"{prompt.project.slug}/{prompt.slug}")


def _clean_name(value: Any, field: str, what: str) -> str:
    try:
        if field == "description":
            return names.clean_text(value, field=field, what=what).strip()
        return names.clean_name(value, field=field, what=what, max_length=200)
    except ServiceError as exc:
        raise PromptError(exc.message, field=exc.field, code=exc.code) from None


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise PromptError("A prompt needs some text.", field="body")
    if len(body) > MAX_BODY:
        raise PromptError(f"A prompt can hold at most {MAX_BODY} characters.", field="body")
    return body


def _add_version(prompt: Prompt, body: str, note: str, author: Any, restored_from: int | None = None) -> PromptVersion:
    """Write the next version; the row lock on the prompt keeps concurrent edits from sharing a number.

    Each version is metered (``prompts.versions``); a new one is refused when the license's quota is used up.
    """
    organization = prompt.project.organization
    try:
        metering.check(organization, VERSIONS)
    except PolicyRefused as refused:
        raise PromptError(refused.message, field="body", code="quota") from None
    record_usage(organization.pk, VERSIONS)
    Prompt.objects.select_for_update().filter(pk=prompt.pk).first()
    number = (prompt.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = PromptVersion.objects.create(prompt=prompt, number=number, body=body, note=(note or "").strip()[:300],
                                           restored_from=restored_from,
                                           created_by=author if getattr(author, "pk", None) else None)
    prompt.current_version, prompt.updated_at = version, timezone.now()
    prompt.save(update_fields=["current_version", "updated_at"])
    return version


def create_prompt(project: Project, name: str, body: str, *, slug: str | None = None, description: str = "",
                  note: str = "", author: Any = None) -> Prompt:
    name = _clean_name(name, "name", "prompt's name")
    description = _clean_name(description, "description", "prompt's description")
    slug = slugify(slug or name)
    if not slug:
        raise PromptError("A prompt needs a name with at least one letter or digit.", field="name")
    body = _clean_body(body)
    try:
        with transaction.atomic():
            prompt = Prompt.objects.create(project=project, name=name, slug=slug[:100],
                                           description=description)
            version = _add_version(prompt, body, note or "First version", author)
            emit("prompt.created", organization=project.organization_id, target=prompt_target(prompt),
                 after={"name": prompt.name, "slug": prompt.slug, "description": prompt.description},
                 data={"project": project.slug, "version": version.number})
    except IntegrityError:
        raise PromptError(f"This project already has a prompt {slug!r}; choose another name.", field="name",
                          code="unique") from None
    return prompt


def edit_prompt(prompt: Prompt, body: str, *, note: str = "", author: Any = None) -> PromptVersion:
    """Save ``body`` as a new version. Saving the current text again is refused."""
    body = _clean_body(body)
    if prompt.current_version is not None and prompt.current_version.body == body:
        raise PromptError("The text is the same as the current version; nothing to save.", field="body",
                          code="unchanged")
    with transaction.atomic():
        previous = prompt.current_version.number if prompt.current_version else None
        version = _add_version(prompt, body, note, author)
        emit("prompt.version_created", organization=prompt.project.organization_id, target=prompt_target(prompt),
             before={"version": previous}, after={"version": version.number},
             data={"project": prompt.project.slug, "note": version.note})
    return version


def rollback(prompt: Prompt, number: int, *, note: str = "", author: Any = None) -> PromptVersion:
    """Make an old version current again by writing a new version with its text."""
    old = prompt.versions.filter(number=number).first()
    if old is None:
        raise PromptError(f"{prompt.name} has no version {number}.", field="version", code="not_found")
    if prompt.current_version is not None and prompt.current_version.body == old.body:
        raise PromptError(f"Version {number} has the same text as the current version; nothing to roll back.",
                          field="version", code="unchanged")
    with transaction.atomic():
        previous = prompt.current_version.number if prompt.current_version else None
        version = _add_version(prompt, old.body, note or f"Rolled back to version {number}", author,
                               restored_from=number)
        emit("prompt.rolled_back", organization=prompt.project.organization_id, target=prompt_target(prompt),
             before={"version": previous}, after={"version": version.number},
             data={"project": prompt.project.slug, "restored_from": number})
    return version


def update_details(prompt: Prompt, **changes: Any) -> Prompt:
    """Rename a prompt or change its description; the text is changed with :func:`edit_prompt`."""
    before = {"name": prompt.name, "description": prompt.description}
    for name, value in changes.items():
        if name not in before:
            raise PromptError(f"Unknown prompt field {name!r}.", field=name)
        value = _clean_name(value, name, f"prompt's {name}")
        if name == "name" and not value:
            raise PromptError("A prompt needs a name.", field="name")
        setattr(prompt, name, value)
    after = {"name": prompt.name, "description": prompt.description}
    if after == before:
        return prompt
    with transaction.atomic():
        prompt.updated_at = timezone.now()
        prompt.save(update_fields=["name", "description", "updated_at"])
        emit("prompt.updated", organization=prompt.project.organization_id, target=prompt_target(prompt),
             before=before, after=after, data={"project": prompt.project.slug})
    return prompt


def delete_prompt(prompt: Prompt) -> None:
    with transaction.atomic():
        emit("prompt.deleted", organization=prompt.project.organization_id, target=prompt_target(prompt),
             before={"name": prompt.name, "slug": prompt.slug},
             data={"project": prompt.project.slug, "versions": prompt.versions.count()})
        prompt.delete()  # its versions go with it
