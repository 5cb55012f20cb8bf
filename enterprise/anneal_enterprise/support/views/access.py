"""Support access: owners grant, extend and revoke; the engineer redeems a one-time link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from anneal_enterprise import entitlements
from anneal_enterprise.support import access, conf, session
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
    if request.method == "POST":
        if not is_owner:
            messages.error(request, "Only an owner of the organization can grant, extend or revoke support access.")
            return redirect("enterprise:support-access", organization.slug)
        action = request.POST.get("action", "create")
        try:
            if action == "create":
                grant, token = access.create_grant(
                    organization, request.user, request.POST.get("reason", ""), request.POST.get("scope", "read_only"),
                    request.POST.get("hours"), request.POST.get("ticket", ""))
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
            messages.error(request, exc.message)
    return render(request, "anneal_support/grants.html", {
        "organization": organization, "is_owner": is_owner, "new_link": new_link,
        "state": entitlements.state(entitlements.SUPPORT, organization),
        "grants": SupportGrant.objects.filter(organization=organization),
        "default_hours": conf.grant_hours_default(), "idle_minutes": conf.idle_minutes(),
    })


def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """Shows the grant and asks the engineer's name; POST starts the support session (once)."""
    grant = access.grant_for_token(token)
    problem, refused = None, False
    try:
        if request.method == "POST":
            grant = access.redeem(token, request.POST.get("engineer", ""))
            session.start(request, grant)
            return redirect("web:organization", slug=grant.organization.slug)
        access.check_usable(grant)
    except access.GrantRefused as exc:
        problem, refused = exc.message, True
    except ServiceError as exc:
        problem = exc.message
    return render(request, "anneal_support/redeem.html",
                  {"grant": None if refused else grant, "problem": problem}, status=410 if refused else 200)
