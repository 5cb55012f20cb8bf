"""Checking an organization's chain in PostgreSQL alone: every leaf recomputed and compared with
its seal, every link recomputed from the seal before it; only counts come back to Python.

A large range is cut into consecutive parts checked at the same time, each on a connection of
its own, all reading one snapshot (exported by the verifying transaction). A part needs nothing
from the part before it but the stored chain of the seal just before its first record, which is
one index lookup: a link is checked against the stored chain before it, never against a chain
recomputed from the start. Measured on two cores, two parts finish in about four fifths of the
time of one query with parallel workers (``bench/audit_verify.py``): the workers' rows no longer
travel to one process that computes every link alone.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from anneal_enterprise.audit.planner import planner_settings
from anneal_enterprise.audit.reading import RECORDS, SEALS, leaf_sql

SPLIT_FROM = 100_000  # a range spanning fewer ids is checked in one statement on the verifying connection
DEFAULT_CONNECTIONS = 2


@dataclass(frozen=True)
class ChainCheck:
    """What PostgreSQL found walking an organization's chain over ``after < id <= through``."""

    records: int  # records in the range
    first_problem: int | None  # the first record without a seal, with another leaf, or whose chain does not follow
    chains: dict[int, str]  # the stored chain at each record asked for that exists
    seals: int  # seals in the range, with or without their record
    parts: int = 1  # how many connections checked a part of the range


def chain_sql(previous: str, record_id: str, leaf: str) -> str:
    """SQL computing :func:`canonical.chain_hash` in PostgreSQL."""
    return f"encode(sha256(convert_to({previous} || ':' || {record_id}::text || ':' || {leaf}, 'UTF8')), 'hex')"


def _organization(alias: str, organization_id: int | None) -> str:
    return f"{alias}.organization_id IS NULL" if organization_id is None else f"{alias}.organization_id = %(organization)s"


def part_sql(organization_id: int | None, *, first: bool) -> str:
    """The check of the records with ``%(after)s < id <= %(through)s``.

    ``first``: the chain before the range is ``%(start_chain)s``; otherwise it is the stored
    chain of the organization's last seal at or before ``%(after)s``. One row comes back: the
    number of records, the first problem, the ids and chains at ``%(at)s``, the number of seals.
    """
    records, seals = _organization("r0", organization_id), _organization("s0", organization_id)
    before = "%(start_chain)s::text" if first else (
        f"(SELECT s1.chain FROM {SEALS} s1 WHERE {_organization('s1', organization_id)} "
        "AND s1.record_id <= %(after)s ORDER BY s1.record_id DESC LIMIT 1)")
    follows = chain_sql("previous", "id", "leaf")
    # OFFSET 0 keeps the inner query whole, so with parallel workers the leaves are computed
    # below the Gather Merge by the workers, not by the process running the window.
    return (
        "SELECT count(*), min(id) FILTER (WHERE NOT (leaf_matches AND chain IS NOT DISTINCT FROM "
        f"{follows})), array_agg(id) FILTER (WHERE id = ANY(%(at)s)), array_agg(chain) FILTER (WHERE id = ANY(%(at)s)), "
        f"(SELECT count(*) FROM {SEALS} s2 WHERE {_organization('s2', organization_id)} "
        "AND s2.record_id > %(after)s AND s2.record_id <= %(through)s) "
        f"FROM (SELECT id, leaf, chain, leaf_matches, lag(chain, 1, {before}) OVER (ORDER BY id) AS previous "
        "FROM (SELECT r0.id, s0.leaf, s0.chain, "
        f"COALESCE({leaf_sql('r0')} = s0.leaf, false) AS leaf_matches "
        f"FROM {RECORDS} r0 LEFT JOIN {SEALS} s0 ON s0.record_id = r0.id AND {seals} "
        f"WHERE {records} AND r0.id > %(after)s AND r0.id <= %(through)s ORDER BY r0.id OFFSET 0) leaves) walked"
    )


def _combined(rows: list[tuple[Any, ...]]) -> ChainCheck:
    problems = [row[1] for row in rows if row[1] is not None]
    chains: dict[int, str] = {}
    for row in rows:
        chains.update(zip(row[2] or [], row[3] or []))
    return ChainCheck(sum(row[0] for row in rows), min(problems, default=None), chains,
                      sum(row[4] for row in rows), parts=len(rows))


def bounds(organization_id: int | None, after: int, through: int, parts: int) -> list[int]:
    """``[after, b1, ..., through]``: ``parts`` consecutive id ranges of about the same span of
    the organization's records, or ``[after, through]`` when the records span fewer than
    :data:`SPLIT_FROM` ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(r0.id), max(r0.id) FROM {RECORDS} r0 WHERE {_organization('r0', organization_id)} "
                       "AND r0.id > %(after)s AND r0.id <= %(through)s",
                       {"organization": organization_id, "after": after, "through": through})
        low, high = cursor.fetchone()
    if parts < 2 or low is None or high - low + 1 < SPLIT_FROM:
        return [after, through]
    span = high - low + 1
    return [after] + [low - 1 + span * part // parts for part in range(1, parts)] + [through]


def configured_connections() -> int:
    """``ANNEAL_AUDIT_VERIFY_CONNECTIONS`` (setting or environment variable; default 2, 1: never split)."""
    value = getattr(settings, "ANNEAL_AUDIT_VERIFY_CONNECTIONS", None) or os.environ.get("ANNEAL_AUDIT_VERIFY_CONNECTIONS")
    return max(1, int(value)) if value else DEFAULT_CONNECTIONS


def check_chain(organization_id: int | None, after: int, through: int, start_chain: str,
                at: list[int], *, connections: int | None = None) -> ChainCheck:
    """Every record of ``after < id <= through`` checked in PostgreSQL: its leaf recomputed and
    compared with its seal's, and its seal's chain recomputed from the seal before it
    (``start_chain`` for the first). Only counts, the first problem and the chains at ``at``
    come back: nothing per record crosses to Python.

    ``connections`` (default :func:`configured_connections`): how many parts a large range is
    checked in at once, each on a connection of its own. Call inside a transaction (the parts read its snapshot).
    """
    wanted = connections or configured_connections()
    parts = bounds(organization_id, after, through, wanted) if connection.in_atomic_block else [after, through]
    params = {"organization": organization_id, "at": at, "start_chain": start_chain}
    if len(parts) > 2:
        rows = _check_parts(organization_id, parts, params)
        if rows is not None:
            return _combined(rows)
    with connection.cursor() as cursor:
        # The parallel workers compute the leaves; the leader only chains (computing a share of
        # the leaves too left the chain waiting on it).
        with planner_settings({"parallel_leader_participation": "off"}):
            cursor.execute(part_sql(organization_id, first=True), {**params, "after": after, "through": through})
            return _combined([cursor.fetchone()])


def _check_parts(organization_id: int | None, parts: list[int], params: dict[str, Any]) -> list[tuple[Any, ...]] | None:
    """Each part's row, checked on its own connection in the verifying transaction's snapshot;
    ``None`` when the connections cannot be opened (the caller checks in one statement)."""
    import psycopg
    from psycopg import sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    opened: list[Any] = []
    try:
        for _ in range(len(parts) - 1):
            opened.append(psycopg.connect(**connection.get_connection_params()))
    except psycopg.OperationalError:
        for raw in opened:
            raw.close()
        return None

    def check(index: int) -> tuple[Any, ...]:
        raw = opened[index]
        raw.isolation_level, raw.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
        with raw.cursor() as cursor:
            cursor.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # the parts are the parallelism
            cursor.execute(part_sql(organization_id, first=index == 0),
                           {**params, "after": parts[index], "through": parts[index + 1]})
            row = cursor.fetchone()
        raw.rollback()
        return row

    try:
        with ThreadPoolExecutor(len(opened), thread_name_prefix="audit-verify") as pool:
            return list(pool.map(check, range(len(opened))))
    finally:
        for raw in opened:
            raw.close()
