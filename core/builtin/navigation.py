"""The core's own navigation, contributed through ``anneal_navigation`` like any plugin's."""

from django.urls import reverse

from core.access import role_of
from core.plugins import NavItem, SettingsSection, enablement, hookimpl
from core.plugins import settings as plugin_settings
from core.roles import Permission, allows


@hookimpl
def anneal_navigation(request, organization):
    items = [
        NavItem("Organizations", reverse("web:organizations"), order=10),
        NavItem("API tokens", reverse("web:tokens"), order=20),
    ]
    if getattr(request.user, "is_staff", False):
        items.append(NavItem("System", reverse("web:system"), section="admin", order=10))
    if organization is not None:
        items += [
            NavItem("Projects", reverse("web:organization", args=[organization.slug]), section="organization", order=10),
            NavItem("Members", reverse("web:members", args=[organization.slug]), section="organization", order=20),
        ]
        if allows(role_of(request.user, organization), Permission.MANAGE):
            items.append(NavItem("Settings", reverse("web:organization_settings", args=[organization.slug]),
                                 section="organization", order=90))
    return items


@hookimpl
def anneal_settings_sections(request, organization):
    sections = [SettingsSection("general", "General", reverse("web:organization_settings", args=[organization.slug]),
                                order=0),
                SettingsSection("usage", "Usage", reverse("web:organization_usage", args=[organization.slug]), order=5),
                SettingsSection("mfa", "MFA", reverse("web:organization_mfa", args=[organization.slug]), order=10)]
    for plugin in plugin_settings.plugins_with_settings("organization"):
        if enablement.is_on(plugin, organization):
            sections.append(SettingsSection(f"plugin-{plugin}", plugin.replace("-", " ").capitalize(),
                                            reverse("web:organization_plugin_settings", args=[organization.slug, plugin]),
                                            order=80))
    if enablement.rules().selected:  # some plugin is on only for selected organizations
        sections.append(SettingsSection("plugins", "Plugins",
                                        reverse("web:organization_plugins", args=[organization.slug]), order=90))
    return sections
