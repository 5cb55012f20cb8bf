"""The registry of event types, built from ``anneal_event_types`` once per plugin change."""

from __future__ import annotations

from core.plugins import hooks, manager
from core.plugins.types import EventType

_cache: dict[str, object] = {"generation": -1, "types": {}, "owners": {}}


def _build() -> None:
    types: dict[str, EventType] = {}
    owners: dict[str, str] = {}
    for plugin, event_type in hooks.event_types():
        if event_type.name in types and owners[event_type.name] != plugin:
            raise ValueError(
                f"Event type {event_type.name!r} is registered by both {owners[event_type.name]} and {plugin}."
            )
        types[event_type.name] = event_type
        owners[event_type.name] = plugin
    _cache.update(generation=manager.generation(), types=types, owners=owners)


def event_types() -> dict[str, EventType]:
    """Every registered event type by name: the core's and each plugin's ``anneal_event_types``."""
    if _cache["generation"] != manager.generation():
        _build()
    return _cache["types"]  # type: ignore[return-value]


def owner_of(name: str) -> str | None:
    event_types()
    return _cache["owners"].get(name)  # type: ignore[union-attr]


def get(name: str) -> EventType:
    try:
        return event_types()[name]
    except KeyError:
        raise LookupError(
            f"Unknown event type {name!r}: register it with the anneal_event_types hook."
        ) from None
