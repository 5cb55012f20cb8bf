"""Plugin settings: what each plugin declared, and the typed values it reads back.

    from core.plugins.settings import value

    greeting = value("hello-world", "greeting", organization)   # str, bool, int, ... as declared

An organization-scoped setting without a value for that organization falls back to the
instance-wide value of the same name (when the plugin declares it for the instance too), then to
the declared ``default``. Values are read from the database each call; a plugin that reads one
on every request can keep it for the request itself.
"""

from __future__ import annotations

from typing import Any

from core.plugins.types import PluginSetting


class UnknownSetting(LookupError):
    """The plugin did not declare a setting of that name (and scope)."""


def declared(plugin: str, scope: str | None = None) -> list[PluginSetting]:
    """The settings ``plugin`` declares, in its order (only ``scope``'s when given)."""
    from core.plugins import hooks

    return [setting for owner, setting in hooks.plugin_settings()
            if owner == plugin and (scope is None or setting.scope == scope)]


def plugins_with_settings(scope: str) -> list[str]:
    from core.plugins import hooks

    return sorted({owner for owner, setting in hooks.plugin_settings() if setting.scope == scope})


def definition(plugin: str, name: str, scope: str) -> PluginSetting:
    for setting in declared(plugin, scope):
        if setting.name == name:
            return setting
    raise UnknownSetting(f"The {plugin} plugin declares no {scope} setting {name!r}.")


def stored(plugin: str, organization: Any = None) -> dict[str, Any]:
    """The values stored for ``plugin`` (instance-wide, or for ``organization``), by name; secrets in plain text."""
    from core.models import PluginSettingValue

    rows = PluginSettingValue.objects.filter(plugin=plugin, organization=organization)
    scope = "organization" if organization is not None else "instance"
    kinds = {s.name: s.kind for s in declared(plugin, scope)}
    return {row.name: (row.secret if kinds.get(row.name) == "secret" else row.value) for row in rows
            if row.name in kinds}


def value(plugin: str, name: str, organization: Any = None) -> Any:
    """The typed value of ``plugin``'s setting ``name`` for ``organization`` (or instance-wide).

    Raises :class:`UnknownSetting` when the plugin declares no such setting.
    """
    organization_setting = None
    if organization is not None:
        try:
            organization_setting = definition(plugin, name, "organization")
        except UnknownSetting:
            pass
        else:
            values = stored(plugin, organization)
            if name in values:
                return values[name]
    try:
        setting = definition(plugin, name, "instance")
    except UnknownSetting:
        if organization_setting is None:
            raise
        return organization_setting.default
    return stored(plugin).get(name, setting.default)
