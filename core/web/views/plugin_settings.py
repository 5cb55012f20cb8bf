"""The settings pages the core renders for a plugin's declared settings (``anneal_plugin_settings``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.plugins import enablement
from core.plugins import settings as plugin_settings
from core.plugins.types import PluginSetting
from core.roles import Permission
from core.services import plugin_settings as service
from core.services.errors import ServiceError
from core.web.views.common import forbidden, organization_view


def _field(setting: PluginSetting, row: dict[str, Any]) -> forms.Field:
    common = {"label": setting.label, "help_text": setting.help, "required": False}
    if setting.kind == "bool":
        return forms.BooleanField(**common)
    if setting.kind == "int":
        return forms.IntegerField(min_value=setting.minimum, max_value=setting.maximum, **common)
    if setting.kind == "choice":
        return forms.ChoiceField(choices=[(c, c) for c in setting.choices], **common)
    if setting.kind == "secret":
        state = "A value is set; leave this empty to keep it." if row["is_set"] else "Not set."
        return forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                               **{**common, "help_text": f"{setting.help} {state}".strip()})
    return forms.CharField(max_length=service.MAX_TEXT, **common)


def settings_form(plugin: str, scope: str, organization: Any, data: Any = None) -> forms.Form:
    """A form with one field per declared setting (and a "clear" box per secret), filled with the values."""
    rows = {row["name"]: row for row in service.describe(plugin, scope, organization)}
    form = forms.Form(data=data, initial={name: row["value"] for name, row in rows.items()})
    for setting in plugin_settings.declared(plugin, scope):
        form.fields[setting.name] = _field(setting, rows[setting.name])
        if setting.kind == "secret" and rows[setting.name]["is_set"]:
            form.fields[f"clear_{setting.name}"] = forms.BooleanField(label=f"Remove the stored {setting.label}",
                                                                      required=False)
    return form


def _changes(form: forms.Form, plugin: str, scope: str, posted: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for setting in plugin_settings.declared(plugin, scope):
        entered = form.cleaned_data.get(setting.name)
        if setting.kind == "secret":
            if form.cleaned_data.get(f"clear_{setting.name}"):
                changes[setting.name] = None
            elif entered:
                changes[setting.name] = entered
        elif setting.kind == "bool":
            changes[setting.name] = bool(entered)
        elif entered is None:
            changes[setting.name] = "" if setting.kind != "int" else None
        else:
            changes[setting.name] = entered
    return changes


def _page(request: HttpRequest, plugin: str, scope: str, organization: Any, context: dict[str, Any]) -> HttpResponse:
    posted = request.POST if request.method == "POST" else None
    form = settings_form(plugin, scope, organization, posted)
    status = 200
    if posted is not None:
        if form.is_valid():
            try:
                changed = service.save(plugin, scope, _changes(form, plugin, scope, posted), organization)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Settings saved." if changed else "Nothing changed.")
                return redirect(request.path)
        status = 400
    return render(request, "anneal/plugin_settings.html",
                  {**context, "plugin": plugin, "form": form, "scope": scope}, status=status)


@login_required
def instance_settings(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.is_staff:
        return forbidden(request, "Plugin settings are for staff accounts only; ask an administrator.")
    if name not in plugin_settings.plugins_with_settings("instance"):
        raise Http404("This plugin has no instance settings.")
    return _page(request, name, "instance", None, {
        "base_template": "anneal/base.html",
        "has_organization_settings": name in plugin_settings.plugins_with_settings("organization"),
    })


@organization_view(Permission.MANAGE)
def organization_settings(request: HttpRequest, name: str) -> HttpResponse:
    organization = request.organization
    if name not in plugin_settings.plugins_with_settings("organization") or not enablement.is_on(name, organization):
        raise Http404("This plugin has no settings for this organization.")
    return _page(request, name, "organization", organization,
                 {"organization": organization, "current_section": f"plugin-{name}",
                  "base_template": "anneal/settings_base.html"})
