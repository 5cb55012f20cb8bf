"""Turning each domain event into an audit record, inside the change's own transaction.

The core calls ``anneal_event`` synchronously inside the transaction that made the change, so
the record commits or rolls back with it. The insert is one raw SQL statement (no ORM
instance, no signals) to keep the cost per audited change small.

On PostgreSQL the insert also takes a *shared* transaction-level advisory lock. The sealer
briefly takes the same lock *exclusively* to learn an id below which no transaction is still
writing records (sequences hand out ids in one order and transactions commit in another);
see :mod:`anneal_enterprise.audit.sealing`.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from anneal_enterprise import entitlements
from anneal_enterprise.audit.canonical import details_text
from core.events.diff import REDACTED, is_secret_field
from core.events.types import Event

CAPTURE_LOCK = 0x616E6E_EA1  # the advisory lock key shared by capture (shared) and the sealer

_COLUMNS = ("event_id", "organization_id", "occurred_at", "type", "actor_kind", "actor_id", "actor_display",
            "target_type", "target_id", "target_display", "details", "ip", "user_agent", "request_id")
_CASTS = ("uuid", "bigint", "timestamptz", "text", "text", "text", "text", "text", "text", "text", "text",
          "text", "text", "text")
TABLE = "anneal_audit_auditrecord"
_POSTGRES_INSERT = (
    f"WITH guard AS (SELECT pg_advisory_xact_lock_shared({CAPTURE_LOCK})) "
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) SELECT "
    + ", ".join(f"%s::{cast}" for cast in _CASTS) + " FROM guard"
)
_PLAIN_INSERT = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"


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
    sql = _POSTGRES_INSERT if connection.vendor == "postgresql" else _PLAIN_INSERT
    with connection.cursor() as cursor:
        cursor.execute(sql, record_values(event))
