"""An audit record as JSON: the one shape used by the API, exports and streaming."""

from __future__ import annotations

from typing import Any

from anneal_enterprise.audit.canonical import timestamp_text
from anneal_enterprise.audit.models import AuditRecord
from core.events import registry


def event_type_info(name: str) -> tuple[str, str]:
    """(category, severity) of an event type; unknown (retired) types read as ``other``/``info``."""
    event_type = registry.event_types().get(name)
    return (event_type.category, event_type.severity) if event_type else ("other", "info")


def record_json(record: AuditRecord) -> dict[str, Any]:
    category, severity = event_type_info(record.type)
    details = record.parsed_details
    return {
        "id": record.id,
        "event_id": str(record.event_id),
        "occurred_at": timestamp_text(record.occurred_at),
        "organization_id": record.organization_id,
        "action": record.type,
        "category": category,
        "severity": severity,
        "actor": {"kind": record.actor_kind, "id": record.actor_id or None, "display": record.actor_display},
        "target": {"type": record.target_type, "id": record.target_id or None, "display": record.target_display}
        if record.target_type else None,
        "diff": details.get("diff", {}),
        "data": details.get("data", {}),
        "ip": record.ip or None,
        "user_agent": record.user_agent,
        "request_id": record.request_id or None,
    }
