"""The prompt pages: an organization's prompts, a project's prompts, a prompt with its versions."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from core import access
from core.models import Project
from core.plugins.web import keyset_page, object_or_404, organization_view, refuse
from core.roles import Permission

from anneal_prompts import diff, search, services
from anneal_prompts.forms import EditPromptForm, NewPromptForm, PromptDetailsForm
from anneal_prompts.models import Prompt, PromptVersion


def in_project(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the URL's ``project_slug`` to a project of ``request.organization``; 404 for others."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, project_slug: str, **kwargs: Any) -> HttpResponse:
        project = object_or_404(Project, organization=request.organization, slug=project_slug)
        return view(request, project, *args, **kwargs)

    return wrapper


def require(request: HttpRequest, permission: Permission) -> None:
    access.require(request.user, request.organization, permission)


def _abilities(request: HttpRequest) -> dict[str, bool]:
    return {"can_write": access.allows_role(request.role, Permission.WRITE),
            "can_delete": access.allows_role(request.role, Permission.MANAGE)}


def _create(request: HttpRequest, project: Project, form: NewPromptForm) -> HttpResponse | None:
    """Create the prompt typed into ``form``; ``None`` when refused, with the reason shown by its field."""
    try:
        prompt = services.create_prompt(project, form.cleaned_data["name"], form.cleaned_data["body"],
                                        description=form.cleaned_data["description"], author=request.user)
    except services.PromptError as exc:
        refuse(form, exc.message, exc.field)
        return None
    messages.success(request, f"Created {prompt.name}.")
    return redirect("prompts:prompt", request.organization.slug, project.slug, prompt.slug)


@organization_view()
def index(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    projects = list(Project.objects.filter(organization=organization))
    form, status = NewPromptForm(projects=projects), 200
    if request.method == "POST":
        require(request, Permission.WRITE)
        form = NewPromptForm(request.POST, projects=projects)
        if form.is_valid():
            project = next(project for project in projects if project.slug == form.cleaned_data["project"])
            response = _create(request, project, form)
            if response is not None:
                return response
        status = 400
    query = request.GET.get("q", "")
    prompts = Prompt.objects.filter(project__organization=organization).select_related("project", "current_version")
    return render(request, "anneal_prompts/index.html", {
        "organization": organization, "projects": projects, "query": query, "form": form,
        "prompts": search.search(prompts, query)[:200], **_abilities(request),
    }, status=status)


@organization_view()
@in_project
def project_prompts(request: HttpRequest, project: Project) -> HttpResponse:
    form, status = NewPromptForm(), 200
    if request.method == "POST":
        require(request, Permission.WRITE)
        form = NewPromptForm(request.POST)
        if form.is_valid():
            response = _create(request, project, form)
            if response is not None:
                return response
        status = 400
    query = request.GET.get("q", "")
    prompts = Prompt.objects.filter(project=project).select_related("project", "current_version")
    return render(request, "anneal_prompts/project.html", {
        "organization": request.organization, "project": project, "query": query, "form": form,
        "prompts": search.search(prompts, query), **_abilities(request),
    }, status=status)


def _prompt_action(request: HttpRequest, prompt: Prompt, forms: dict[str, Any]) -> bool:
    """Do what the posted ``action`` asks; ``False`` when a form in ``forms`` was refused (its errors shown)."""
    action = request.POST.get("action")
    if action == "delete":
        require(request, Permission.MANAGE)
        services.delete_prompt(prompt)
        messages.success(request, f"Deleted {prompt.name} and all its versions.")
        return True
    require(request, Permission.WRITE)
    if action == "rollback":
        try:
            number = int(request.POST.get("version", ""))
        except ValueError:
            raise services.PromptError("Choose a version number to roll back to.", field="version") from None
        version = services.rollback(prompt, number, author=request.user)
        messages.success(request, f"Rolled back to version {number}; this is now version {version.number}.")
        return True
    form = forms["details_form" if action == "details" else "edit_form"] = (
        PromptDetailsForm(request.POST) if action == "details" else EditPromptForm(request.POST))
    if not form.is_valid():
        return False
    try:
        if action == "details":
            services.update_details(prompt, **form.cleaned_data)
            messages.success(request, "Saved.")
        else:
            version = services.edit_prompt(prompt, form.cleaned_data["body"], note=form.cleaned_data["note"],
                                           author=request.user)
            messages.success(request, f"Saved version {version.number}.")
    except services.PromptError as exc:
        refuse(form, exc.message, exc.field)
        return False
    return True


@organization_view()
@in_project
def prompt_detail(request: HttpRequest, project: Project, prompt_slug: str) -> HttpResponse:
    prompt = get_object_or_404(Prompt.objects.select_related("project", "current_version"), project=project,
                               slug=prompt_slug)
    forms: dict[str, Any] = {
        "edit_form": EditPromptForm(initial={"body": prompt.current_version.body if prompt.current_version else ""}),
        "details_form": PromptDetailsForm(initial={"name": prompt.name, "description": prompt.description}),
    }
    status = 200
    if request.method == "POST":
        try:
            done = _prompt_action(request, prompt, forms)
        except services.PromptError as exc:  # a rollback refused: no field of a form to show it by
            messages.error(request, exc.message)
            done = True
        if done:
            if request.POST.get("action") == "delete" and not Prompt.objects.filter(pk=prompt.pk).exists():
                return redirect("prompts:project", request.organization.slug, project.slug)
            return redirect("prompts:prompt", request.organization.slug, project.slug, prompt.slug)
        prompt.refresh_from_db()
        status = 400
    return render(request, "anneal_prompts/prompt.html", {
        "organization": request.organization, "project": project, "prompt": prompt, **forms,
        "versions": keyset_page(request, prompt.versions.select_related("created_by"), ("-number",),
                                label="Version pages"), **_abilities(request),
    }, status=status)


@organization_view()
@in_project
def version_detail(request: HttpRequest, project: Project, prompt_slug: str, number: int) -> HttpResponse:
    prompt = get_object_or_404(Prompt, project=project, slug=prompt_slug)
    version = get_object_or_404(PromptVersion.objects.select_related("created_by"), prompt=prompt, number=number)
    return render(request, "anneal_prompts/version.html", {
        "organization": request.organization, "project": project, "prompt": prompt, "version": version,
        **_abilities(request),
    })


DIFF_CHOICES = 20  # versions in the diff page's menus: a prompt may have thousands


def _number(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        raise Http404("Version numbers are whole numbers.") from None


@organization_view()
@in_project
def diff_view(request: HttpRequest, project: Project, prompt_slug: str) -> HttpResponse:
    prompt = get_object_or_404(Prompt.objects.select_related("current_version"), project=project, slug=prompt_slug)
    latest = prompt.current_version.number if prompt.current_version else 1
    new_number = _number(request.GET.get("to"), latest)
    old_number = _number(request.GET.get("from"), max(1, new_number - 1))
    old = get_object_or_404(PromptVersion, prompt=prompt, number=old_number)
    new = get_object_or_404(PromptVersion, prompt=prompt, number=new_number)
    numbers, older = _version_choices(prompt, old.number, new.number)
    return render(request, "anneal_prompts/diff.html", {
        "organization": request.organization, "project": project, "prompt": prompt, "old": old, "new": new,
        "lines": diff.lines(old, new), "numbers": numbers, "older_versions": older,
    })


def _version_choices(prompt: Prompt, *compared: int) -> tuple[list[int], bool]:
    """The version numbers the diff page's menus offer, newest first: the newest
    ``DIFF_CHOICES`` and the two compared; and whether older versions exist (picked by number)."""
    newest = list(prompt.versions.order_by("-number").values_list("number", flat=True)[: DIFF_CHOICES + 1])
    return sorted({*newest[:DIFF_CHOICES], *compared}, reverse=True), len(newest) > DIFF_CHOICES


urlpatterns = [
    path("o/<slug:slug>/", index, name="index"),
    path("o/<slug:slug>/p/<slug:project_slug>/", project_prompts, name="project"),
    path("o/<slug:slug>/p/<slug:project_slug>/<slug:prompt_slug>/", prompt_detail, name="prompt"),
    path("o/<slug:slug>/p/<slug:project_slug>/<slug:prompt_slug>/v/<int:number>/", version_detail, name="version"),
    path("o/<slug:slug>/p/<slug:project_slug>/<slug:prompt_slug>/diff/", diff_view, name="diff"),
]
