"""An audit record as JSON: the one shape used by the API, exports and streaming."""

from __future__ import annotations

import json
from typing import Any

from anneal_enterprise.audit.canonical import timestamp_text
from anneal_enterprise.audit.models import AuditRecord
from core.events import registry


def event_type_info(name: str) -> tuple[str, str]:
    """(category, severity) of an event type; unknown (retired) types read as ``other``/``info``."""
    event_type = registry.event_types().get(name)
    return (event_type.category, event_type.severity) if event_type else ("other", "info")


# The columns :func:`row_json` reads, in its order (``AuditRecord.objects.values_list(*COLUMNS)``).
COLUMNS = ("id", "event_id", "occurred_at", "organization_id", "type", "actor_kind", "actor_id", "actor_display",
           "target_type", "target_id", "target_display", "details", "ip", "user_agent", "request_id")


def record_json(record: AuditRecord) -> dict[str, Any]:
    return row_json(tuple(getattr(record, name) for name in COLUMNS))


def row_json(row: tuple[Any, ...], types: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """A record's JSON from its :data:`COLUMNS` values, without building a model instance.

    ``types``: a cache of :func:`event_type_info` answers for a batch of rows.
    """
    (id_, event_id, occurred_at, organization_id, type_, actor_kind, actor_id, actor_display,
     target_type, target_id, target_display, details_text, ip, user_agent, request_id) = row
    if types is None:
        category, severity = event_type_info(type_)
    elif (known := types.get(type_)) is not None:
        category, severity = known
    else:
        category, severity = types[type_] = event_type_info(type_)
    details = json.loads(details_text or "{}")
    return {
        "id": id_,
        "event_id": str(event_id),
        "occurred_at": timestamp_text(occurred_at),
        "organization_id": organization_id,
        "action": type_,
        "category": category,
        "severity": severity,
        "actor": {"kind": actor_kind, "id": actor_id or None, "display": actor_display},
        "target": {"type": target_type, "id": target_id or None, "display": target_display} if target_type else None,
        "diff": details.get("diff", {}),
        "data": details.get("data", {}),
        "ip": ip or None,
        "user_agent": user_agent,
        "request_id": request_id or None,
    }
