"""Turning each domain event into an audit record, inside the change's own transaction.

The core calls ``anneal_event`` synchronously inside the transaction that made the change, so
the record commits or rolls back with it. The insert is one raw SQL statement (no ORM
instance, no signals) to keep the cost per audited change small.

The insert takes no lock of its own: the ``ROW EXCLUSIVE`` table lock that PostgreSQL takes
for every INSERT, and holds until the transaction ends, is what the sealer waits for (it takes
the table in ``SHARE`` mode) to learn an id below which no transaction is still writing
records (sequences hand out ids in one order and transactions commit in another); see
:mod:`anneal_enterprise.audit.sealing`.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from anneal_enterprise import entitlements
from anneal_enterprise.audit.canonical import details_text
from core.events.diff import REDACTED, is_secret_field
from core.events.types import Event

_COLUMNS = ("event_id", "organization_id", "occurred_at", "type", "actor_kind", "actor_id", "actor_display",
            "target_type", "target_id", "target_display", "details", "ip", "user_agent", "request_id")
TABLE = "anneal_audit_auditrecord"
_INSERT = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"


def redact(value: Any) -> Any:
    """Replace the value of every key that names a secret, at any depth."""
    if isinstance(value, dict):
        return {k: (REDACTED if is_secret_field(str(k)) and v is not None else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def is_recording(organization_id: int | None) -> bool:
    """Records are written only while the ``audit_log`` feature is enabled (not read-only)."""
    from core.models import Organization

    organization = Organization(pk=organization_id) if organization_id is not None else None
    return entitlements.state(entitlements.AUDIT_LOG, organization) == "enabled"


def record_values(event: Event) -> tuple[Any, ...]:
    actor, target = event.actor, event.target
    return (
        str(event.id), event.organization_id, event.occurred_at, event.type,
        actor.kind, actor.id or "", actor.display[:300],
        target.type if target else "", (target.id or "") if target else "", target.display[:300] if target else "",
        details_text({k: redact(v) for k, v in event.diff.items()}, redact(event.data)),
        event.ip or "", (event.user_agent or "")[:500], event.request_id or "",
    )


def capture(event: Event) -> None:
    """Write ``event`` as an audit record in the current transaction, if the feature is on."""
    if not is_recording(event.organization_id):
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, record_values(event))
