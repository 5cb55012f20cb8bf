"""Changing which organizations a plugin is on for; ``core.plugins.enablement`` enforces it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.events import Target, emit
from core.models import Organization, PluginAvailability, PluginOrganization, User
from core.plugins import enablement
from core.plugins.manager import records
from core.services.errors import ServiceError

MODES = {PluginAvailability.EVERY_ORGANIZATION, PluginAvailability.SELECTED_ORGANIZATIONS}


def _plugin_target(plugin: str) -> Target:
    return Target("plugin", plugin, plugin)


def installed_plugin(name: str) -> str:
    """``name`` if it is an installed plugin (not a built-in part of the core), else ``ServiceError``."""
    if not any(r.name == name and not r.builtin for r in records()):
        raise ServiceError(f"No plugin named {name!r} is installed.", code="not_found", field="plugin")
    return name


def availability(plugin: str) -> dict[str, Any]:
    row = PluginAvailability.objects.filter(plugin=plugin).first()
    organizations = list(PluginOrganization.objects.filter(plugin=plugin).order_by("organization__slug")
                         .values_list("organization__slug", flat=True))
    return {"plugin": plugin, "mode": row.mode if row else PluginAvailability.EVERY_ORGANIZATION,
            "owners_may_enable": bool(row and row.owners_may_enable), "organizations": organizations}


def set_availability(plugin: str, mode: str, owners_may_enable: bool = False,
                     organizations: list[str] | None = None) -> dict[str, Any]:
    """Instance staff: on for every organization, or only for the organizations enabled.

    ``organizations`` (slugs), when given, replaces the list of organizations enabled.
    Emits ``plugin.availability_changed`` with the change.
    """
    installed_plugin(plugin)
    if mode not in MODES:
        raise ServiceError(f"The mode is {' or '.join(sorted(MODES))}, not {mode!r}.", field="mode")
    before = availability(plugin)
    with transaction.atomic():
        PluginAvailability.objects.update_or_create(
            plugin=plugin, defaults={"mode": mode, "owners_may_enable": owners_may_enable})
        if organizations is not None:
            found = dict(Organization.objects.filter(slug__in=organizations).values_list("slug", "pk"))
            unknown = sorted(set(organizations) - set(found))
            if unknown:
                raise ServiceError(f"No organization {', '.join(unknown)}.", field="organizations")
            PluginOrganization.objects.filter(plugin=plugin).exclude(organization_id__in=found.values()).delete()
            for organization_id in found.values():
                PluginOrganization.objects.get_or_create(plugin=plugin, organization_id=organization_id)
        after = availability(plugin)
        emit("plugin.availability_changed", target=_plugin_target(plugin),
             before={k: before[k] for k in ("mode", "owners_may_enable", "organizations")},
             after={k: after[k] for k in ("mode", "owners_may_enable", "organizations")})
        enablement.changed()
    return after


def owners_may_enable(plugin: str) -> bool:
    return PluginAvailability.objects.filter(plugin=plugin, owners_may_enable=True).exists()


def set_enabled(plugin: str, organization: Organization, enabled: bool, by: User | None = None) -> bool:
    """Switch ``plugin`` on or off for one organization; emits ``plugin.enabled`` or ``plugin.disabled``.

    The caller decides who may (staff always; an owner when ``owners_may_enable``). Returns
    whether anything changed.
    """
    installed_plugin(plugin)
    with transaction.atomic():
        if enabled:
            _, changed = PluginOrganization.objects.get_or_create(
                plugin=plugin, organization=organization, defaults={"enabled_by": by})
        else:
            changed = PluginOrganization.objects.filter(plugin=plugin, organization=organization).delete()[0] > 0
        if changed:
            emit("plugin.enabled" if enabled else "plugin.disabled", organization=organization,
                 target=_plugin_target(plugin))
            enablement.changed()
    return changed


def for_organization(organization: Organization) -> list[dict[str, Any]]:
    """Every installed plugin with whether it is on for ``organization`` and who may switch it."""
    rules = enablement.rules()
    rows = []
    for record in records():
        if record.builtin or not record.ok:
            continue
        restricted = record.name in rules.selected
        rows.append({"plugin": record.name, "enabled": rules.allows(record.name, organization.pk),
                     "restricted": restricted, "owners_may_enable": record.name in rules.owners_may_enable})
    return rows
