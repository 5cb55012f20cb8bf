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
from core.web.forms import refuse
from core.web.page_forms import PluginModeForm, PluginOrganizationForm
from core.web.views.common import forbidden, organization_view


@login_required
def plugin_availability_page(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "Plugin availability is for staff accounts only; ask an administrator.")
    try:
        plugin_availability.installed_plugin(name)
    except ServiceError:
        raise Http404("No such plugin.") from None
    current = plugin_availability.availability(name)
    saved = {"mode": current["mode"], "owners_may_enable": current["owners_may_enable"]}
    mode_form = PluginModeForm(initial=saved, plugin=name, modes=PluginAvailability.MODES)
    organization_form = PluginOrganizationForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "mode":
            mode_form = PluginModeForm(request.POST, plugin=name, modes=PluginAvailability.MODES)
            if mode_form.is_valid() and _saved(request, name, mode_form):
                return redirect("web:plugin_availability", name)
        elif action in {"enable", "disable"}:
            organization_form = PluginOrganizationForm(request.POST)
            if organization_form.is_valid():
                # Switching needs the mode "only the organizations enabled": a refusal about the mode is shown there.
                mode_form = PluginModeForm(saved, plugin=name, modes=PluginAvailability.MODES)
                if _switched(request, name, action == "enable", organization_form, mode_form):
                    return redirect("web:plugin_availability", name)
        else:
            messages.error(request, "Unknown action.")
        status = 400
    return render(request, "anneal/plugin_availability.html", {
        "plugin": name, "availability": current, "mode_form": mode_form, "organization_form": organization_form,
    }, status=status)


def _saved(request: HttpRequest, name: str, form: PluginModeForm) -> bool:
    try:
        plugin_availability.set_availability(name, form.cleaned_data["mode"], form.cleaned_data["owners_may_enable"])
    except ServiceError as exc:
        refuse(form, exc.message, exc.field)
        return False
    messages.success(request, f"Saved who the {name} plugin is on for.")
    return True


def _switched(request: HttpRequest, name: str, enable: bool, form: PluginOrganizationForm,
              mode_form: PluginModeForm) -> bool:
    slug = form.cleaned_data["organization"]
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        refuse(form, f"No organization with the slug {slug!r}.", "organization")
        return False
    if plugin_availability.availability(name)["mode"] != PluginAvailability.SELECTED_ORGANIZATIONS:
        refuse(mode_form, "Choose “Only the organizations enabled” first: the plugin is on for every organization.",
               "mode")
        return False
    plugin_availability.set_enabled(name, organization, enable, by=request.user)
    messages.success(request, f"The {name} plugin is {'on' if enable else 'off'} for {organization.name}.")
    return True


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
