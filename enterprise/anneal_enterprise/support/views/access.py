"""Support access: owners grant, extend and revoke; the engineer redeems a one-time link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from anneal_enterprise import entitlements
from anneal_enterprise.forms import refuse_or_tell
from anneal_enterprise.support import access, conf, session
from anneal_enterprise.support.forms import GrantForm, RedeemForm
from anneal_enterprise.support.models import SupportGrant
from core.links import absolute_reverse
from core.roles import Permission, Role
from core.services.errors import ServiceError
from core.plugins.web import object_or_404, organization_view
from core.times import readable_utc

NEW_LINK_KEY = "anneal_support_new_link"


@organization_view(Permission.MANAGE)
def grants(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    is_owner = request.role == Role.OWNER
    new_link = request.session.pop(NEW_LINK_KEY, None) if request.method == "GET" else None
    form, status = GrantForm(default_hours=conf.grant_hours_default()), 200
    if request.method == "POST":
        if not is_owner:
            messages.error(request, "Only an owner of the organization can grant, extend or revoke support access.")
            return redirect("enterprise:support-access", organization.slug)
        action = request.POST.get("action", "create")
        try:
            if action == "create":
                form, status = GrantForm(request.POST, default_hours=conf.grant_hours_default()), 400
                if form.is_valid():
                    data = form.cleaned_data
                    grant, token = access.create_grant(organization, request.user, data["reason"], data["scope"],
                                                       data["hours"], data["ticket"])
                    # Shown once, on the next page only (post/redirect/get, so a reload never grants twice).
                    request.session[NEW_LINK_KEY] = absolute_reverse("enterprise:support-redeem", token)
                    messages.success(request, "Support access granted. Send the link below to the support engineer.")
                    return redirect("enterprise:support-access", organization.slug)
            else:
                grant = object_or_404(SupportGrant, organization=organization, pk=request.POST.get("grant"))
                if action == "extend":
                    access.extend(grant, request.user, request.POST.get("hours"))
                    messages.success(request, f"Extended until {readable_utc(grant.expires_at)}.")
                elif action == "revoke":
                    access.revoke(grant, request.user)
                    messages.success(request, "Support access revoked. Their session ends with their next request.")
                return redirect("enterprise:support-access", organization.slug)
        except ServiceError as exc:
            refuse_or_tell(request, form, exc.message, exc.field if action == "create" else None)
            status = 400
    return render(request, "anneal_support/grants.html", {
        "organization": organization, "is_owner": is_owner, "new_link": new_link, "form": form,
        "state": entitlements.state(entitlements.SUPPORT, organization),
        "grants": SupportGrant.objects.filter(organization=organization),
        "default_hours": conf.grant_hours_default(), "idle_minutes": conf.idle_minutes(),
    }, status=status)


def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the grant and asks the engineer's name; POST starts the support session (once)."""
    grant = access.grant_for_token(token)
    problem, refused, status = None, False, 200
    form = RedeemForm(request.POST if request.method == "POST" else None)
    try:
        if request.method == "POST":
            status = 400
            if form.is_valid():
                grant = access.redeem(token, form.cleaned_data["engineer"])
                session.start(request, grant)
                return redirect("web:organization", slug=grant.organization.slug)
            access.check_usable(grant)  # a used or expired link says so rather than asking for a name again
        else:
            access.check_usable(grant)
    except access.GrantRefused as exc:
        problem, refused, status = exc.message, True, 410
    except ServiceError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        else:
            problem = exc.message
    return render(request, "anneal_support/redeem.html",
                  {"grant": None if refused else grant, "problem": problem, "form": form}, status=status)
