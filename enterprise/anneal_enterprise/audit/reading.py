"""Reading records in id order, as the hashed columns, fast enough for millions of rows."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

from django.db import connection

from anneal_enterprise.audit.canonical import FIELDS, timestamp_text

RECORDS = "anneal_audit_auditrecord"
SEALS = "anneal_audit_auditseal"
CHUNK = 20_000


def _org_condition(alias: str, organization_id: int | None) -> tuple[str, list[Any]]:
    if organization_id is None:
        return f"{alias}.organization_id IS NULL", []
    return f"{alias}.organization_id = %s", [organization_id]


_POSTGRES_TEXT = {
    "event_id": "{a}.event_id::text",
    "organization_id": "{a}.organization_id::text",
    # The canonical timestamp text, produced by the database so Python never formats dates.
    "occurred_at": "to_char({a}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'",
}


_FIXED_LENGTH = {"event_id": 36, "occurred_at": 32}  # always that many characters


def leaf_sql(alias: str) -> str:
    """SQL computing a record's leaf hash in PostgreSQL: exactly :func:`canonical.leaf_hash`.

    Verifying a million records spends most of its time building Python strings for every
    column; letting the database build the hashed text and hash it leaves Python one short
    string per record. The offline verifier computes the same hash in Python from an export.
    """
    parts = []
    for name in FIELDS:
        expression = _POSTGRES_TEXT.get(name, "{a}.%s" % name).format(a=alias)
        if name == "organization_id":
            expression = f"COALESCE({expression}, '')"
        length = f"'{_FIXED_LENGTH[name]}'" if name in _FIXED_LENGTH else f"octet_length({expression})::text"
        parts.append(f"{length} || ':' || {expression} || E'\\x1f'")
    return "encode(sha256(convert_to(" + " || ".join(parts) + ", 'UTF8')), 'hex')"


def _columns(alias: str) -> str:
    """The hashed columns, each as its canonical text on PostgreSQL."""
    if connection.vendor == "postgresql":
        return ", ".join(_POSTGRES_TEXT.get(name, "{a}.%s" % name).format(a=alias) for name in FIELDS)
    return ", ".join(f"{alias}.{name}" for name in FIELDS)


def _normalise(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """On SQLite: dashed UUID, canonical timestamp, id as text, like PostgreSQL gives them."""
    event_id, organization_id, occurred_at = values[0], values[1], values[2]
    if isinstance(event_id, str) and len(event_id) == 32:
        event_id = str(uuid.UUID(event_id))
    return (event_id, None if organization_id is None else str(organization_id),
            timestamp_text(occurred_at)) + tuple(values[3:])


def _stream(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql``; on PostgreSQL through a server-side cursor (call inside a transaction)."""
    cursor = connection.chunked_cursor() if connection.vendor == "postgresql" else connection.cursor()
    try:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            yield from rows
    finally:
        cursor.close()


def records(organization_id: int | None, after: int, through: int,
            *, leaves: bool = False) -> Iterator[tuple[int, Any]]:
    """``(id, hashed columns)`` of an organization's records with ``after < id <= through``.

    With ``leaves=True`` on PostgreSQL the second item is the leaf hash computed by the database.
    """
    condition, params = _org_condition("r", organization_id)
    postgres = connection.vendor == "postgresql"
    selected = leaf_sql("r") if (leaves and postgres) else _columns("r")
    sql = (f"SELECT r.id, {selected} FROM {RECORDS} r WHERE {condition} AND r.id > %s AND r.id <= %s "
           "ORDER BY r.id")
    for row in _stream(sql, [*params, after, through]):
        if leaves and postgres:
            yield row[0], row[1]
        else:
            values = row[1:]
            yield row[0], (values if postgres else _normalise(values))


def records_with_seals(organization_id: int | None, after: int,
                       *, leaves: bool = False) -> Iterator[tuple[int, Any, Any, Any]]:
    """``(id, hashed columns or None, leaf, chain)`` for records and seals with ``id > after``.

    A full outer join: a seal without its record shows ``None`` columns (a removed record), a
    record without a seal shows ``None`` hashes. With ``leaves=True`` on PostgreSQL the
    columns are replaced by the leaf hash the database computes from them (a ``str``).
    """
    record_condition, record_params = _org_condition("r0", organization_id)
    seal_condition, seal_params = _org_condition("s0", organization_id)
    if leaves and connection.vendor == "postgresql":
        # Two ordered index scans merged here: a FULL JOIN would make PostgreSQL sort the result.
        yield from _merge(
            _stream(f"SELECT r0.id, {leaf_sql('r0')} FROM {RECORDS} r0 WHERE {record_condition} AND r0.id > %s "
                    "ORDER BY r0.id", [*record_params, after]),
            _stream(f"SELECT s0.record_id, s0.leaf, s0.chain FROM {SEALS} s0 WHERE {seal_condition} "
                    "AND s0.record_id > %s ORDER BY s0.record_id", [*seal_params, after]),
        )
        return
    sql = (
        f"SELECT COALESCE(r.id, s.record_id) AS rid, r.id IS NOT NULL AS present, {_columns('r')}, s.leaf, s.chain "
        f"FROM (SELECT * FROM {RECORDS} r0 WHERE {record_condition} AND r0.id > %s) r "
        f"FULL OUTER JOIN (SELECT * FROM {SEALS} s0 WHERE {seal_condition} AND s0.record_id > %s) s "
        "ON s.record_id = r.id ORDER BY rid"
    )
    sqlite = connection.vendor != "postgresql"
    width = len(FIELDS)
    for row in _stream(sql, [*record_params, after, *seal_params, after]):
        values = row[2:2 + width] if row[1] else None
        if values is not None and sqlite:
            values = _normalise(values)
        yield row[0], values, row[2 + width], row[3 + width]


def _merge(records: Iterator[tuple[Any, ...]], seals: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, Any, Any, Any]]:
    """Merge ``(id, leaf)`` records and ``(id, leaf, chain)`` seals, both in id order."""
    record = next(records, None)
    seal = next(seals, None)
    while record is not None or seal is not None:
        if seal is None or (record is not None and record[0] < seal[0]):
            yield record[0], record[1], None, None  # type: ignore[index]
            record = next(records, None)
        elif record is None or seal[0] < record[0]:
            yield seal[0], None, seal[1], seal[2]
            seal = next(seals, None)
        else:
            yield record[0], record[1], seal[1], seal[2]
            record, seal = next(records, None), next(seals, None)
