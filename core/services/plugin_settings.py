"""Validating and saving plugin settings, from the settings pages and the API alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from core.events import Target, emit
from core.events.diff import REDACTED
from core.plugins import settings as plugin_settings
from core.plugins.types import PluginSetting
from core.services.errors import ServiceError
from core.services.names import clean_text

MAX_TEXT = 2000
_TRUE, _FALSE = {"true", "on", "1", "yes"}, {"false", "off", "0", "no", ""}


def clean(setting: PluginSetting, raw: Any) -> Any:
    """``raw`` (from a form or JSON) as the setting's type, or ``ServiceError`` naming the field."""
    field = setting.name
    if setting.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ServiceError(f"{setting.label} is true or false.", field=field)
    if setting.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise ServiceError(f"{setting.label} is a whole number.", field=field)
        try:
            number = int(raw)
        except ValueError:
            raise ServiceError(f"{setting.label} is a whole number.", field=field) from None
        if setting.minimum is not None and number < setting.minimum:
            raise ServiceError(f"{setting.label} is at least {setting.minimum}.", field=field)
        if setting.maximum is not None and number > setting.maximum:
            raise ServiceError(f"{setting.label} is at most {setting.maximum}.", field=field)
        return number
    if not isinstance(raw, str):
        raise ServiceError(f"{setting.label} is text.", field=field)
    text = clean_text(raw, field=field, what=setting.label).strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(f"{setting.label} is at most {MAX_TEXT} characters.", field=field)
    if setting.required and not text:
        raise ServiceError(f"{setting.label} is required.", field=field)
    if setting.kind == "choice" and text not in setting.choices:
        raise ServiceError(f"{setting.label} is one of {', '.join(setting.choices)}.", field=field)
    if setting.kind == "url" and text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ServiceError(f"{setting.label} is an http:// or https:// address.", field=field) from None
    return text


def _shown(setting: PluginSetting, value: Any) -> Any:
    return REDACTED if setting.kind == "secret" and value else value


def save(plugin: str, scope: str, changes: dict[str, Any], organization: Any = None) -> list[str]:
    """Set each of ``changes`` (name -> raw value; ``None`` resets to the default, or clears a secret).

    Validates every value before writing any. Emits ``plugin.settings_changed`` with the
    changed names (secrets redacted). Returns the names that changed.
    """
    from core.models import PluginSettingValue

    definitions = {s.name: s for s in plugin_settings.declared(plugin, scope)}
    unknown = sorted(set(changes) - set(definitions))
    if unknown:
        raise ServiceError(f"The {plugin} plugin has no {scope} setting {', '.join(unknown)}.", field=unknown[0])
    cleaned = {name: None if raw is None else clean(definitions[name], raw) for name, raw in changes.items()}
    before_values = plugin_settings.stored(plugin, organization)
    before, after = {}, {}
    with transaction.atomic():
        for name, value in cleaned.items():
            setting = definitions[name]
            old = before_values.get(name)
            if value is None or (setting.kind == "secret" and value == ""):
                if setting.kind == "secret" and value == "":
                    continue  # an empty secret field keeps the stored secret
                PluginSettingValue.objects.filter(plugin=plugin, name=name, organization=organization).delete()
            else:
                fields = {"secret": value, "value": None} if setting.kind == "secret" else {"value": value, "secret": ""}
                PluginSettingValue.objects.update_or_create(plugin=plugin, name=name, organization=organization,
                                                            defaults=fields)
            if old != value and not (old is None and value is None):
                before[name], after[name] = _shown(setting, old), _shown(setting, value)
        if after:
            emit("plugin.settings_changed", organization=organization, target=Target("plugin", plugin, plugin),
                 before=before, after=after, data={"scope": scope})
    return sorted(after)


def describe(plugin: str, scope: str, organization: Any = None) -> list[dict[str, Any]]:
    """Each declared setting with its current value (a secret only says whether it is set)."""
    values = plugin_settings.stored(plugin, organization)
    rows = []
    for setting in plugin_settings.declared(plugin, scope):
        current = values.get(setting.name)
        rows.append({
            "name": setting.name, "label": setting.label, "kind": setting.kind, "help": setting.help,
            "required": setting.required, "choices": list(setting.choices),
            "default": None if setting.kind == "secret" else setting.default,
            "value": None if setting.kind == "secret" else (setting.default if current is None else current),
            "is_set": setting.name in values,
        })
    return rows
