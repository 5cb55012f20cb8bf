from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import access
from core.models import Invitation, Membership, Project
from core.roles import Permission, Role
from core.services import invitations, organizations, projects
from core.services.errors import ServiceError
from core.web.views.common import organization_view, report


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            organization = organizations.create_organization(
                request.user, request.POST.get("name", ""), request.POST.get("slug") or None
            )
        except ServiceError as exc:
            report(request, exc)
        else:
            messages.success(request, f"Created {organization.name}.")
            return redirect("web:organization", organization.slug)
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    return render(request, "anneal/organizations.html", {"memberships": memberships})


@organization_view()
def organization_detail(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    if request.method == "POST":
        if not access.allows_role(request.role, Permission.WRITE):
            messages.error(request, "Viewers cannot create projects.")
        else:
            try:
                project = projects.create_project(organization, request.POST.get("name", ""),
                                                  description=request.POST.get("description", ""))
            except ServiceError as exc:
                report(request, exc)
            else:
                messages.success(request, f"Created project {project.name}.")
                return redirect("web:project", organization.slug, project.slug)
    return render(request, "anneal/organization.html", {
        "organization": organization, "role": request.role,
        "projects": Project.objects.filter(organization=organization),
        "can_write": access.allows_role(request.role, Permission.WRITE),
    })


@organization_view()
def project_detail(request: HttpRequest, project_slug: str) -> HttpResponse:
    project = get_object_or_404(Project, organization=request.organization, slug=project_slug)
    can_write = access.allows_role(request.role, Permission.WRITE)
    if request.method == "POST" and can_write:
        try:
            if request.POST.get("action") == "delete" and access.allows_role(request.role, Permission.MANAGE):
                projects.delete_project(project)
                messages.success(request, f"Deleted project {project.name}.")
                return redirect("web:organization", request.organization.slug)
            projects.update_project(project, name=request.POST.get("name", project.name),
                                    description=request.POST.get("description", project.description))
            messages.success(request, "Saved.")
        except ServiceError as exc:
            report(request, exc)
        return redirect("web:project", request.organization.slug, project.slug)
    return render(request, "anneal/project.html", {
        "organization": request.organization, "project": project, "can_write": can_write,
        "can_delete": access.allows_role(request.role, Permission.MANAGE),
    })


@organization_view()
def members(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    can_manage = access.allows_role(request.role, Permission.MANAGE)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, "Only admins and owners manage members.")
            return redirect("web:members", organization.slug)
        try:
            _member_action(request)
        except ServiceError as exc:
            report(request, exc)
        except access.NotAllowed as exc:
            messages.error(request, str(exc))
        return redirect("web:members", organization.slug)
    return render(request, "anneal/members.html", {
        "organization": organization, "role": request.role, "can_manage": can_manage,
        "memberships": Membership.objects.filter(organization=organization).select_related("user"),
        "invitations": Invitation.objects.filter(organization=organization, accepted_at=None, revoked_at=None),
        "roles": [r.value for r in Role],
    })


def _member_action(request: HttpRequest) -> None:
    organization, action = request.organization, request.POST.get("action")
    is_owner = request.role == Role.OWNER
    if action == "invite":
        role = request.POST.get("role", Role.MEMBER.value)
        if role == Role.OWNER.value and not is_owner:
            raise access.NotAllowed(request.role, Permission.OWN)
        invitation, _ = invitations.invite(organization, request.POST.get("email", ""), role, request.user)
        messages.success(request, f"Invited {invitation.email}.")
    elif action == "revoke":
        invitations.revoke(get_object_or_404(Invitation, organization=organization, pk=request.POST.get("id")))
        messages.success(request, "Invitation revoked.")
    elif action in {"role", "remove"}:
        membership = get_object_or_404(Membership, organization=organization, pk=request.POST.get("id"))
        new_role = request.POST.get("role", "")
        if (membership.role == Role.OWNER.value or new_role == Role.OWNER.value) and not is_owner:
            raise access.NotAllowed(request.role, Permission.OWN)
        if action == "role":
            organizations.change_role(membership, new_role)
            messages.success(request, f"{membership.user.email} is now {new_role}.")
        else:
            organizations.remove_member(membership)
            messages.success(request, f"Removed {membership.user.email}.")


@organization_view(Permission.MANAGE)
def organization_settings(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                access.require(request.user, organization, Permission.OWN)
                organizations.delete_organization(organization)
                messages.success(request, f"Deleted {organization.name}.")
                return redirect("web:organizations")
            organizations.update_organization(organization, name=request.POST.get("name", organization.name))
            messages.success(request, "Saved.")
        except ServiceError as exc:
            report(request, exc)
        except access.NotAllowed as exc:
            messages.error(request, str(exc))
        return redirect("web:organization_settings", organization.slug)
    return render(request, "anneal/organization_settings.html", {
        "organization": organization, "is_owner": request.role == Role.OWNER,
    })


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.find_invitation(token)
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    if request.method == "POST" and request.user.is_authenticated:
        try:
            invitations.accept(invitation, request.user)
        except ServiceError as exc:
            report(request, exc)
        else:
            messages.success(request, f"You joined {invitation.organization.name}.")
            return redirect("web:organization", invitation.organization.slug)
    return render(request, "anneal/accept_invitation.html", {"invitation": invitation})
