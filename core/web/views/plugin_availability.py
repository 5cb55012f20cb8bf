"""Which organizations a plugin is on for: the staff page, and the owners' settings tab."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.models import Organization, PluginAvailability
from core.roles import Permission, Role
from core.services import plugin_availability
from core.services.errors import ServiceError
from core.web.views.common import forbidden, organization_view, report


@login_required
def plugin_availability_page(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "Plugin availability is for staff accounts only; ask an administrator.")
    try:
        plugin_availability.installed_plugin(name)
    except ServiceError:
        raise Http404("No such plugin.") from None
    status = 200
    if request.method == "POST":
        try:
            _change(request, name)
        except ServiceError as exc:
            report(request, exc)
            status = 400
        else:
            return redirect("web:plugin_availability", name)
    return render(request, "anneal/plugin_availability.html", {
        "plugin": name, "availability": plugin_availability.availability(name), "modes": PluginAvailability.MODES,
    }, status=status)


def _change(request: HttpRequest, name: str) -> None:
    action = request.POST.get("action", "")
    current = plugin_availability.availability(name)
    if action == "mode":
        plugin_availability.set_availability(name, request.POST.get("mode", ""),
                                             request.POST.get("owners_may_enable") == "on")
        messages.success(request, f"Saved who the {name} plugin is on for.")
    elif action in {"enable", "disable"}:
        slug = request.POST.get("organization", "").strip()
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise ServiceError(f"No organization with the slug {slug!r}.", field="organization")
        if current["mode"] != PluginAvailability.SELECTED_ORGANIZATIONS:
            raise ServiceError("Choose “Only the organizations enabled” first: the plugin is on for every "
                               "organization.", field="mode")
        plugin_availability.set_enabled(name, organization, action == "enable", by=request.user)
        messages.success(request, f"The {name} plugin is {'on' if action == 'enable' else 'off'} for {organization.name}.")
    else:
        raise ServiceError("Unknown action.")


@organization_view(Permission.VIEW)
def organization_plugins(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    may_switch = request.user.is_staff or request.role == Role.OWNER
    status = 200
    if request.method == "POST":
        name = request.POST.get("plugin", "")
        rows = {row["plugin"]: row for row in plugin_availability.for_organization(organization)}
        row = rows.get(name)
        if row is None or not row["restricted"]:
            messages.error(request, "That plugin is not switched per organization.")
            status = 400
        elif not (request.user.is_staff or (request.role == Role.OWNER and row["owners_may_enable"])):
            return forbidden(request, f"Only instance staff switch the {name} plugin on or off for an organization.")
        else:
            enabled = request.POST.get("action") == "enable"
            plugin_availability.set_enabled(name, organization, enabled, by=request.user)
            messages.success(request, f"The {name} plugin is {'on' if enabled else 'off'} for {organization.name}.")
            return redirect("web:organization_plugins", organization.slug)
    return render(request, "anneal/organization_plugins.html", {
        "organization": organization, "rows": plugin_availability.for_organization(organization),
        "may_switch": may_switch, "is_staff": request.user.is_staff, "current_section": "plugins",
    }, status=status)
