"""Members and invitations of an organization.

Role changes, removals and revocations answer htmx requests with the updated table row (and
the flash messages out of band), and plain form posts with a redirect, so the page works with
and without JavaScript.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import access
from core.email_delivery import unsent_fate, where_unsent_email_went
from core.links import absolute_reverse, base_url_note
from core.models import Invitation, Membership
from core.roles import Permission, Role
from core.services import invitations, organizations
from core.services.errors import ServiceError
from core.web.forms import refuse
from core.web.page_forms import InvitationLinkForm, InviteForm
from core.web.paging import keyset_page
from core.web.views.common import can, htmx_redirect, is_htmx, organization_view, report, require_role

ROLES = [role.value for role in Role]


def _roles_for(request: HttpRequest) -> list[str]:
    """The roles this person may hand out: owners all of them, admins all but owner."""
    return ROLES if request.role == Role.OWNER else [r for r in ROLES if r != Role.OWNER.value]


def _page_context(request: HttpRequest) -> dict:
    organization = request.organization
    return {
        "organization": organization, "role": request.role, "can_manage": can(request, Permission.MANAGE),
        "is_owner": request.role == Role.OWNER, "assignable_roles": _roles_for(request), "roles": ROLES,
    }


def _lists(request: HttpRequest) -> dict:
    """One page of the members (in the order they joined, optionally those whose email starts with ``q``) and of the
    pending invitations, each paged on its own (``page`` and ``invitations``)."""
    organization = request.organization
    search = request.GET.get("q", "").strip()
    members = Membership.objects.filter(organization=organization).select_related("user")
    if search:
        members = members.filter(user__email__startswith=search.lower())
    pending = Invitation.objects.filter(organization=organization, accepted_at=None, revoked_at=None)
    return {
        "memberships": keyset_page(request, members, MEMBER_ORDER, label="Member pages"),
        "invitations": keyset_page(request, pending.select_related("invited_by"), INVITATION_ORDER,
                                   param="invitations", label="Invitation pages")
        if can(request, Permission.MANAGE) else None,
        "search": search,
    }


# In the order they joined: index membership_org_joined. (By email, a late page of a big
# organization walked the users' email index past every non-member: 78 ms at 100,000 users.)
MEMBER_ORDER = ("id",)
INVITATION_ORDER = ("-id",)  # newest first: index invitation_pending


NEW_INVITATION_LINK = "anneal_new_invitation_link"


@organization_view()
def members(request: HttpRequest) -> HttpResponse:
    status = 200
    invite_form = InviteForm(initial={"role": Role.MEMBER.value}, roles=_roles_for(request))
    if request.method == "POST":
        refused = require_role(request, Permission.MANAGE)
        if refused:
            return refused
        invite_form = InviteForm(request.POST, roles=_roles_for(request))
        if invite_form.is_valid():
            error = _invite(request, invite_form.cleaned_data["email"], invite_form.cleaned_data["role"])
            if error is None:
                return redirect("web:members", request.organization.slug)
            refuse(invite_form, *error)
        status = 400
    new_invitation = request.session.pop(NEW_INVITATION_LINK, None) if request.method == "GET" else None
    return render(request, "anneal/members.html", {
        **_page_context(request), **_lists(request), "invite_form": invite_form, "new_invitation": new_invitation,
        "link_form": InvitationLinkForm(initial={"link": new_invitation["link"]}) if new_invitation else None,
        "email_unsent": unsent_fate(), "base_url_note": base_url_note()}, status=status)


def _invite(request: HttpRequest, email: str, role: str) -> tuple[str, str] | None:
    """Send an invitation; return what went wrong and the field it concerns, or ``None``."""
    try:
        validate_email(email)
    except ValidationError:
        return (f"{email} is not a valid email address." if email else "Enter an email address to invite."), "email"
    if role not in ROLES:
        return "Choose one of the roles: " + ", ".join(ROLES) + ".", "role"
    if role not in _roles_for(request):
        return "Only owners can invite another owner.", "role"
    try:
        invitation, token = invitations.invite(request.organization, email, role, request.user)
    except ServiceError as exc:
        return exc.message, exc.field or "email"
    went = where_unsent_email_went()
    if went is None:
        derived = "" if settings.BASE_URL_SOURCE == "setting" else " " + base_url_note()
        messages.success(request, f"Invited {invitation.email} as {invitation.role}. The link is in their inbox."
                                  f"{derived}")
        return None
    messages.success(request, f"Invited {invitation.email} as {invitation.role}. Email is not set up on this "
                              f"server, so the invitation was {went} instead of sent: copy the link below and "
                              "send it to them yourself.")
    # Shown once, on the next page only (post/redirect/get), like a new API token.
    request.session[NEW_INVITATION_LINK] = {"email": invitation.email,
                                            "link": absolute_reverse("web:accept_invitation", token)}
    return None


def _membership(request: HttpRequest, membership_id: int) -> Membership:
    membership = (Membership.objects.filter(organization=request.organization, pk=membership_id)
                  .select_related("user").first())
    if membership is None:
        raise Http404("No such member in this organization.")
    membership.organization = request.organization
    return membership


def _row(request: HttpRequest, membership: Membership | None) -> HttpResponse:
    if not is_htmx(request):
        return redirect("web:members", request.organization.slug)
    return render(request, "anneal/_member_row_response.html",
                  {**_page_context(request), "m": membership})


@require_POST
@organization_view()
def change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    refused = require_role(request, Permission.MANAGE)
    if refused:
        return refused
    membership = _membership(request, membership_id)
    new_role = request.POST.get("role", "")
    if new_role not in ROLES:
        messages.error(request, "Choose one of the roles: " + ", ".join(ROLES) + ".")
    elif Role.OWNER.value in (membership.role, new_role) and request.role != Role.OWNER:
        messages.error(request, "Only owners can make someone an owner or change an owner's role.")
    else:
        try:
            organizations.change_role(membership, new_role)
        except ServiceError as exc:
            report(request, exc)
        else:
            messages.success(request, f"{membership.user.email} is now {new_role}.")
            if membership.user_id == request.user.pk:
                access.forget_roles(request.user)
                return _leave_page_if_needed(request)
    return _row(request, membership)


def _leave_page_if_needed(request: HttpRequest) -> HttpResponse:
    """After changing one's own role the page's controls may no longer apply: reload it."""
    url = reverse("web:members", args=[request.organization.slug])
    return htmx_redirect(url) if is_htmx(request) else redirect(url)


@require_POST
@organization_view()
def remove_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    refused = require_role(request, Permission.MANAGE)
    if refused:
        return refused
    membership = _membership(request, membership_id)
    if membership.role == Role.OWNER.value and request.role != Role.OWNER:
        messages.error(request, "Only owners can remove an owner.")
        return _row(request, membership)
    try:
        organizations.remove_member(membership)
    except ServiceError as exc:
        report(request, exc)
        return _row(request, membership)
    messages.success(request, f"Removed {membership.user.email} from {request.organization.name}.")
    if membership.user_id == request.user.pk:
        access.forget_roles(request.user)
        return htmx_redirect(reverse("web:organizations")) if is_htmx(request) else redirect("web:organizations")
    return _row(request, None)


@require_POST
@organization_view()
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    refused = require_role(request, Permission.MANAGE)
    if refused:
        return refused
    invitation = Invitation.objects.filter(organization=request.organization, pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation in this organization.")
    try:
        invitations.revoke(invitation)
    except ServiceError as exc:
        report(request, exc)
    else:
        messages.success(request, f"Revoked the invitation of {invitation.email}.")
    if not is_htmx(request):
        return redirect("web:members", request.organization.slug)
    return render(request, "anneal/_messages_oob.html", {})
