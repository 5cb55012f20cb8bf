"""The organization list, an organization's overview and its general settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.models import Membership, Project
from core.roles import Permission, Role
from core.services import organizations, projects
from core.services.errors import ServiceError
from core.web.counting import capped_counts, count_up_to
from core.web.paging import keyset_page
from core.web.page_forms import OrganizationCreateForm, OrganizationNameForm, ProjectCreateForm
from core.web.views.common import can, organization_view, require_role

NAME_MAX = 200


def _name_error(name: str, what: str) -> str | None:
    if not name:
        return f"Give the {what} a name."
    if len(name) > NAME_MAX:
        return f"The name is too long: at most {NAME_MAX} characters."
    return None


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    status = 200
    form = {"name": "", "slug": ""}
    if request.method == "POST":
        form = {"name": request.POST.get("name", "").strip(), "slug": request.POST.get("slug", "").strip()}
        error = _name_error(form["name"], "organization")
        if error is None:
            try:
                organization = organizations.create_organization(request.user, form["name"], form["slug"] or None)
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(request, f"Created {organization.name}. You are its owner.")
                return redirect("web:organization", organization.slug)
        messages.error(request, error)
        status = 400
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    page = keyset_page(request, memberships, ("organization__name", "organization_id"), label="Organization pages")
    counts = capped_counts({"projects": (Project, ("organization_id", "slug")),
                            "members": (Membership, ("organization_id", "user_id"))},
                           [m.organization_id for m in page])
    for membership in page:
        membership.project_count = counts[membership.organization_id]["projects"]
        membership.member_count = counts[membership.organization_id]["members"]
    return render(request, "anneal/organizations.html", {"memberships": page, "form": OrganizationCreateForm(initial=form)},
                  status=status)


@organization_view()
def organization_detail(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    status = 200
    form = {"name": "", "description": ""}
    if request.method == "POST":
        refused = require_role(request, Permission.WRITE)
        if refused:
            return refused
        form = {"name": request.POST.get("name", "").strip(), "description": request.POST.get("description", "")}
        error = _name_error(form["name"], "project")
        if error is None:
            try:
                project = projects.create_project(organization, form["name"], description=form["description"])
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(request, f"Created project {project.name}.")
                return redirect("web:project", organization.slug, project.slug)
        messages.error(request, error)
        status = 400
    return render(request, "anneal/organization.html", {
        "organization": organization, "role": request.role, "form": ProjectCreateForm(initial=form),
        "projects": keyset_page(request, Project.objects.filter(organization=organization), ("slug",),
                                label="Project pages"),
        "project_count": count_up_to(Project.objects.filter(organization=organization), ("organization_id", "slug")),
        "member_count": count_up_to(Membership.objects.filter(organization=organization),
                                    ("organization_id", "user_id")),
        "can_write": can(request, Permission.WRITE),
        "can_manage": can(request, Permission.MANAGE),
    }, status=status)


@organization_view(Permission.MANAGE)
def organization_settings(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "delete":
            refused = require_role(request, Permission.OWN)
            if refused:
                return refused
            if request.POST.get("confirm", "").strip() != organization.slug:
                messages.error(request, f"Type the organization's slug ({organization.slug}) to confirm deletion.")
                status = 400
            else:
                organizations.delete_organization(organization)
                messages.success(request, f"Deleted {organization.name}.")
                return redirect("web:organizations")
        else:
            name = request.POST.get("name", "").strip()
            error = _name_error(name, "organization")
            if error is None:
                try:
                    organizations.update_organization(organization, name=name)
                except ServiceError as exc:
                    error = exc.message
                else:
                    messages.success(request, "Settings saved.")
                    return redirect("web:organization_settings", organization.slug)
            messages.error(request, error)
            status = 400
            organization.refresh_from_db()
    return render(request, "anneal/organization_settings.html", {
        "organization": organization, "is_owner": request.role == Role.OWNER, "current_section": "general",
        "form": OrganizationNameForm(initial={"name": organization.name}),
    }, status=status)
