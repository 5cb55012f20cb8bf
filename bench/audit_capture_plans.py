"""Which audit record index does a product query use? Query plans on 1.2 million records (issue #14).

    ANNEAL_BENCH_DB=anneal_audit_plans .venv/bin/python bench/audit_capture_plans.py [--without audit_org_time ...]

Seeds once (kept between runs): 1,200,000 records interleaved over 52 organizations, as on a
busy instance (organization 1: 75 %, organization 2: 8 %, seventeen small ones: 1 % each), 30 event
types with a skewed mix (one type 40 %, some under 0.1 %), 500 actors, 2,000 targets, times
rising with the id (about one record every 25 s). Then prints ``EXPLAIN (ANALYZE, BUFFERS)``
of every product query on the records table (the audit log page and API filters, first and
deep page, export, sealing, verify, streaming, retention), each asserted to return the rows
it names. ``--without NAME`` drops that index inside a rolled-back transaction first, to show
the plan the query would get without it.
"""

from __future__ import annotations

import argparse
import re
import sys

from audit_setup import fresh_database

RECORDS = 1_200_000
TYPES = [f"project.t{n}" for n in range(10)] + [f"member.t{n}" for n in range(10)] + \
    [f"organization.t{n}" for n in range(9)] + ["audit.retention.changed"]

SEED = f"""
INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id,
    actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id)
SELECT gen_random_uuid(), org, timestamptz '2025-06-01' + n * interval '25 seconds', typ, 'user', actor::text,
       'user' || actor || '@example.com', 'project', (floor(random() * 2000) + 1)::int::text, 'Project',
       '{{"diff":{{"name":["a","b"]}}}}', '10.0.0.1', 'Mozilla/5.0', md5(n::text)
FROM (SELECT n,
             CASE WHEN n % 100 < 75 THEN 1 WHEN n % 100 < 83 THEN 2 ELSE 3 + n % 50 END AS org,
             CASE WHEN n % 10000 = 7 THEN 'audit.retention.changed'
                  WHEN n % 10 < 4 THEN 'project.t0'
                  ELSE (ARRAY{TYPES[:-1]!r})[1 + (n::bigint * 7919) % 29] END AS typ,
             1 + floor(power(random(), 3) * 500)::int AS actor
      FROM generate_series(1, {RECORDS}) n) s
"""


def queries(middle: int, old: str) -> list[tuple[str, str, int]]:
    """(name, SQL, expected rows) of each product query; ``middle`` an id deep in the log."""
    page = "ORDER BY id DESC LIMIT 51"
    return [
        ("page: first page, organization 1", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 {page}", 51),
        ("page: deep page, organization 1", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND id < {middle} {page}", 51),
        ("page: first page, small organization 40", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 40 {page}", 51),
        ("page: deep page, small organization 40", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 40 AND id < {middle} {page}", 51),
        ("action (common, 40 %), deep page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND type = 'project.t0' AND id < {middle} {page}", 51),
        ("action (rare), first page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND type = 'audit.retention.changed' {page}", 51),
        ("action (rare), deep page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND type = 'audit.retention.changed' AND id < {middle} {page}", -1),
        ("action prefix member.*, deep page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND type LIKE 'member.%' AND id < {middle} {page}", -1),
        ("actor id (rare actor), first page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND actor_id = '480' {page}", -1),
        ("actor id (rare actor), deep page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND actor_id = '480' AND id < {middle} {page}", -1),
        ("actor display starts with, deep page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND UPPER(actor_display::text) LIKE UPPER('user48%') AND id < {middle} {page}", -1),
        ("target, first page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND target_type = 'project' AND target_id = '7' {page}", -1),
        ("target, deep page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND target_type = 'project' AND target_id = '7' AND id < {middle} {page}", -1),
        ("time: since a recent day, first page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND occurred_at >= '2026-04-01' {page}", 51),
        ("time: one old day, first page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND occurred_at >= '{old}' AND occurred_at <= timestamptz '{old}' + interval '1 day' {page}", -1),
        ("time: one old day, small organization 40", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 40 AND occurred_at >= '{old}' AND occurred_at <= timestamptz '{old}' + interval '1 day' {page}", -1),
        ("time: until an old day, first page", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 1 AND occurred_at <= '{old}' {page}", 51),
        ("export: count of a filtered range", f"SELECT count(*) FROM anneal_audit_auditrecord WHERE organization_id = 40 AND occurred_at >= '{old}' AND occurred_at <= timestamptz '{old}' + interval '7 days'", 1),
        ("sealing: organizations in a range", f"SELECT DISTINCT organization_id FROM anneal_audit_auditrecord WHERE id > {middle} AND id <= {middle + 20000}", -1),
        ("sealing: an organization's records in a range", f"SELECT id FROM anneal_audit_auditrecord WHERE organization_id = 40 AND id > {middle} AND id <= {middle + 20000} ORDER BY id", -1),
        ("streaming: next batch, small organization", f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 40 AND id > {middle} AND id <= {middle + 200000} ORDER BY id LIMIT 1000", 1000),
        ("retention: newest time of a sealed range", f"SELECT max(occurred_at) FROM anneal_audit_auditrecord WHERE organization_id = 40 AND id > 0 AND id <= {middle}", 1),
        ("retention: first record after the purge", f"SELECT id FROM anneal_audit_auditrecord WHERE organization_id = 40 AND id > 1000 ORDER BY id LIMIT 1", 1),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--without", action="append", default=[], help="drop this index for the plans")
    parser.add_argument("--create", action="append", default=[], help="SQL creating an index to try")
    parser.add_argument("--only", default="", help="regular expression: only the queries it finds")
    args = parser.parse_args()
    fresh_database(keep=True)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM anneal_audit_auditrecord")
        if c.fetchone()[0] != RECORDS:
            print("seeding", RECORDS, "records ...", file=sys.stderr)
            c.execute(SEED)
            c.execute("VACUUM ANALYZE anneal_audit_auditrecord")
        c.execute("SELECT count(*) FROM anneal_audit_auditrecord")
        assert c.fetchone()[0] == RECORDS
    middle = RECORDS // 2
    old = "2025-09-01"
    with connection.cursor() as c:
        c.execute("BEGIN")
        for name in args.without:
            c.execute(f"DROP INDEX {name}")
        for sql in args.create:
            c.execute(sql)
        if args.create:
            c.execute("ANALYZE anneal_audit_auditrecord")
        c.execute("SELECT indexrelid::regclass, pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_index "
                  "WHERE indrelid = 'anneal_audit_auditrecord'::regclass ORDER BY 1")
        print("indexes:", ", ".join(f"{n} ({s})" for n, s in c.fetchall()))
        for name, sql, expected in queries(middle, old):
            if args.only and not re.search(args.only, name):
                continue
            c.execute(sql)
            rows = len(c.fetchall())
            assert expected < 0 or rows == expected, (name, rows, expected)
            c.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING ON) " + sql)
            plan = [line for (line,) in c.fetchall() if not line.strip().startswith("Planning")]
            print(f"\n-- {name} ({rows} rows)\n" + "\n".join(plan))
        c.execute("ROLLBACK")
    window_ranges(middle, old, args.only)


WINDOWS = {  # name: (organization, since, until) of the time filter translated into ids
    "id range: one old day, first page": (1, "{old}", "{old} + 1 day"),
    "id range: one old day, deep page": (1, "{old}", "{old} + 1 day"),
    "id range: until an old day, first page": (1, None, "{old}"),
    "id range: until an old day, deep page": (1, None, "{old}"),
    "id range: one old day, small organization 40": (40, "{old}", "{old} + 1 day"),
    "id range: export count, small organization, one old week": (40, "{old}", "{old} + 7 days"),
}


def window_ranges(middle: int, old: str, only: str) -> None:
    """The time filters as the product runs them now: the window's exact ids, then the page."""
    import statistics
    import time
    from datetime import datetime, timedelta, timezone

    from django.db import connection
    from anneal_enterprise.audit.window import id_bounds

    start = datetime.fromisoformat(old).replace(tzinfo=timezone.utc)
    moments = {"{old}": start, "{old} + 1 day": start + timedelta(days=1), "{old} + 7 days": start + timedelta(days=7)}
    for name, (org, since_text, until_text) in WINDOWS.items():
        if only and not re.search(only, name):
            continue
        since, until = moments.get(since_text), moments[until_text]
        spent = []
        for _ in range(7):
            began = time.perf_counter()
            low, high = id_bounds(since, until)
            spent.append((time.perf_counter() - began) * 1000)
        condition = "occurred_at <= %s" + (" AND occurred_at >= %s" if since else "")
        params = [until] + ([since] if since else [])
        plain = f"organization_id = {org} AND {condition}"
        ranged = f"{plain} AND id >= %s AND id <= %s"
        ranged_params = params + [low if low is not None else 0, high]
        counting = name.startswith("id range: export")
        with connection.cursor() as c:
            if counting:
                select = "SELECT count(*) FROM anneal_audit_auditrecord WHERE {}"
            else:
                deep = ""
                if "deep" in name:
                    c.execute(f"SELECT id FROM anneal_audit_auditrecord WHERE {plain} ORDER BY id DESC OFFSET 500 LIMIT 1",
                              params)
                    deep = f" AND id < {c.fetchone()[0]}"
                select = "SELECT * FROM anneal_audit_auditrecord WHERE {}" + deep + " ORDER BY id DESC LIMIT 51"
            c.execute(select.format(plain), params)
            expected = c.fetchall()
            c.execute(select.format(ranged), ranged_params)
            got = c.fetchall()
            assert got == expected, (name, len(got), len(expected))  # the same rows as the plain filter
            c.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING ON) " + select.format(ranged), ranged_params)
            plan = [line for (line,) in c.fetchall() if not line.strip().startswith("Planning")]
        print(f"\n-- {name} ({len(got)} rows; ids {low} to {high}; bound lookups "
              f"{statistics.median(spent):.2f} ms median, {min(spent):.2f} to {max(spent):.2f})\n" + "\n".join(plan))


if __name__ == "__main__":
    main()
