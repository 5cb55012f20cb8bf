"""Organization MFA settings (owners require it and see who enrolled) and factor resets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.mfa import administration
from core.models import Membership, User
from core.plugins import step_up_required
from core.roles import Permission, Role
from core.services.errors import ServiceError
from core.web.mfa_forms import MfaRequirementForm, ResetFactorsForm
from core.web.paging import keyset_page
from core.web.views.common import forbidden, organization_view, require_role
from core.web.views.members import MEMBER_ORDER
from core.wording import counted


@organization_view(Permission.MANAGE)
@step_up_required
def organization_mfa(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    requirement = administration.requirement_of(organization)
    form = MfaRequirementForm(initial={"required": requirement.required, "grace_days": requirement.grace_days})
    status = 200
    if request.method == "POST":
        refused = require_role(request, Permission.OWN)
        if refused:
            return refused
        form = MfaRequirementForm(request.POST)
        if form.is_valid():
            try:
                administration.set_requirement(organization, request.user, form.cleaned_data["required"],
                                               form.cleaned_data["grace_days"])
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The MFA requirement is saved.")
                return redirect("web:organization_mfa", organization.slug)
        status = 400
    page = keyset_page(request, Membership.objects.filter(organization=organization).select_related("user"),
                       MEMBER_ORDER, label="Member pages")
    return render(request, "anneal/organization_mfa.html", {
        "organization": organization, "form": form, "requirement": requirement,
        "is_owner": request.role == Role.OWNER, "current_section": "mfa",
        "statuses": administration.member_statuses(organization, page), "page": page,
        "reset_form": ResetFactorsForm(),
    }, status=status)


@require_POST
@organization_view(Permission.OWN)
@step_up_required
def member_reset(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = Membership.objects.filter(organization=request.organization, pk=membership_id).select_related(
        "user").first()
    if membership is None:
        raise Http404("No such member.")
    if not administration.can_reset_member(request.user, request.organization, membership.user):
        return forbidden(request, "Owners can reset the factors of members who are not owners. Ask an "
                                  "administrator of this instance to reset an owner's factors.")
    try:
        removed = administration.reset_factors(membership.user, request.user, request.POST.get("reason", ""),
                                               request.organization)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Removed {counted(removed, 'factor')} of {membership.user.email}; they were told by email.")
    return redirect("web:organization_mfa", request.organization.slug)


@login_required
@step_up_required
def staff_reset(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "Resetting someone's second factors is for staff accounts only.")
    form = ResetFactorsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = User.objects.filter(email=form.cleaned_data["email"].lower()).first()
            if user is None:
                form.add_error("email", "No account has this email address.")
            else:
                try:
                    removed = administration.reset_factors(user, request.user, form.cleaned_data["reason"])
                except ServiceError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, f"Removed {counted(removed, 'factor')} of {user.email}; they were told by email.")
                    return redirect("web:staff_mfa_reset")
        status = 400
    return render(request, "anneal/form_page.html", {
        "form": form, "title": "Reset someone's second factors", "submit": "Reset their factors",
        "intro": "For a person who lost every factor and every recovery code. Check who they are first "
                 "(for example by a call). They set up a new factor at their next sign-in.",
    }, status=status)
