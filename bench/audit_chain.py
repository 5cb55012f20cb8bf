"""Sealing and verifying throughput on PostgreSQL, up to one million records in one chain,
and the query plans of the audit log's keyset pagination.

    .venv/bin/python bench/audit_chain.py [--records 1000000]
"""

from __future__ import annotations

import argparse
import time

from audit_setup import fresh_database, license_audit_log

INSERT = """
INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id,
    actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id)
SELECT gen_random_uuid(), %s, now() - interval '1 second' * (%s - g),
    CASE WHEN g %% 7 = 0 THEN 'project.created' ELSE 'project.updated' END, 'user', (g %% 50)::text,
    'user' || (g %% 50) || '@example.com', 'project', (g %% 1000)::text, 'website',
    '{"data":{},"diff":{"description":["old ' || g || '","new ' || g || '"]}}', '10.0.0.1',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', md5(g::text)
FROM generate_series(%s, %s) g
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    fresh_database()
    license_audit_log()
    from django.db import connection

    from anneal_enterprise.audit import sealing, verify
    from anneal_enterprise.audit.models import AuditRecord
    from anneal_enterprise.audit.query import filtered, page, parse_filters

    started = time.perf_counter()
    with connection.cursor() as cursor:
        step = 200_000
        for first in range(1, args.records + 1, step):
            cursor.execute(INSERT, [1, args.records, first, min(first + step - 1, args.records)])
            # another organization's records interleave, as they would in a shared table
            cursor.execute(INSERT, [2, args.records, first, first + step // 10 - 1])
        cursor.execute("VACUUM ANALYZE anneal_audit_auditrecord")
    print(f"inserted {args.records:,} records for organization 1 and {args.records // 10:,} for organization 2 "
          f"with SQL in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    result = sealing.seal()
    seal_seconds = time.perf_counter() - started
    print(f"sealing : {result.records} records, {len(result.checkpoints)} checkpoints in {seal_seconds:.1f} s "
          f"= {result.records / seal_seconds:,.0f} records/s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE anneal_audit_auditseal")

    started = time.perf_counter()
    report = verify.verify_organization(1)
    verify_seconds = time.perf_counter() - started
    assert report.intact, report.summary()
    print(f"verify  : organization 1, {report.records:,} records (read from PostgreSQL, recomputed, compared) in "
          f"{verify_seconds:.2f} s = {report.records / verify_seconds:,.0f} records/s")

    from anneal_enterprise.audit import instance

    started = time.perf_counter()
    anchored = instance.anchor(walk=True)
    assert anchored.problem is None, anchored.problem
    print(f"instance: newest checkpoints against the instance chain, every head walked: "
          f"{(time.perf_counter() - started) * 1000:.1f} ms")

    newest = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    middle = newest // 2
    for title, queryset in [
        ("first page, organization 1", filtered(1, parse_filters({})).filter().order_by("-id")[:51]),
        ("page deep in the log (cursor at the middle)", filtered(1, parse_filters({})).filter(id__lt=middle)
         .order_by("-id")[:51]),
        ("filtered by action, deep cursor", filtered(1, parse_filters({"action": "project.created"}))
         .filter(id__lt=middle).order_by("-id")[:51]),
        ("first page, organization 2 (a tenth of the rows)", filtered(2, parse_filters({})).order_by("-id")[:51]),
        ("filtered by target, deep cursor", filtered(1, parse_filters({"target_type": "project", "target_id": "7"}))
         .filter(id__lt=middle).order_by("-id")[:51]),
    ]:
        print(f"\n-- query plan: {title}")
        print(queryset.explain(analyze=True, buffers=True))
    started = time.perf_counter()
    cursor_value = None
    for _ in range(100):
        _, cursor_value = page(filtered(1, parse_filters({})), cursor_value, 50)
    print(f"\n100 consecutive pages of 50 through the API's query: {(time.perf_counter() - started) * 10:.2f} ms per page")


if __name__ == "__main__":
    main()
