"""A project's page: details, editing (members and up), deletion (admins and owners)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.models import Project
from core.roles import Permission
from core.services import projects
from core.services.errors import ServiceError
from core.web.page_forms import ProjectEditForm
from core.web.views.common import can, organization_view, require_role

NAME_MAX = 200


def _project(request: HttpRequest, project_slug: str) -> Project:
    project = Project.objects.filter(organization=request.organization, slug=project_slug).first()
    if project is None:
        raise Http404("No such project in this organization.")
    project.organization = request.organization
    return project


@organization_view()
def project_detail(request: HttpRequest, project_slug: str) -> HttpResponse:
    project = _project(request, project_slug)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            refused = require_role(request, Permission.MANAGE)
            if refused:
                return refused
            projects.delete_project(project)
            messages.success(request, f"Deleted project {project.name}.")
            return redirect("web:organization", request.organization.slug)
        refused = require_role(request, Permission.WRITE)
        if refused:
            return refused
        name = request.POST.get("name", "").strip()
        description = request.POST.get("description", "")
        if not name:
            messages.error(request, "A project needs a name.")
        elif len(name) > NAME_MAX:
            messages.error(request, f"The name is too long: at most {NAME_MAX} characters.")
        else:
            try:
                projects.update_project(project, name=name, description=description)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Project saved.")
                return redirect("web:project", request.organization.slug, project.slug)
        status = 400
        project = _project(request, project_slug)
    return render(request, "anneal/project.html", {
        "organization": request.organization, "project": project,
        "form": ProjectEditForm(initial={"name": project.name, "description": project.description}),
        "can_write": can(request, Permission.WRITE), "can_delete": can(request, Permission.MANAGE),
    }, status=status)
