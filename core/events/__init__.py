"""Domain events: the public API for emitting and describing state changes."""

from core.events.context import actor_context, current_actor
from core.events.emit import emit
from core.events.registry import event_types
from core.events.types import Actor, Event, Target

__all__ = ["Actor", "Event", "Target", "actor_context", "current_actor", "emit", "event_types"]
