"""On PostgreSQL: every index of the audit records serves the product query it was kept for."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SEED = """
INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id,
    actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id)
SELECT gen_random_uuid(), 1 + n % 20, timestamptz '2026-01-01' + n * interval '1 minute',
       CASE WHEN n % 1000 = 3 THEN 'audit.retention.changed' ELSE 'project.updated' END, 'user',
       (n % 200)::text, 'user' || n % 200, 'project', (n % 300)::text, 'p', '{}', '', '', ''
FROM generate_series(1, 20000) n
"""

PAGE = "ORDER BY id DESC LIMIT 51"
KEPT = {
    "audit_org_id": "SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 3 AND id > 100 "
                    "AND id <= 20000 ORDER BY id LIMIT 1000",  # sealing, streaming, verify
    "audit_org_type_id": f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 3 "
                         f"AND type = 'audit.retention.changed' {PAGE}",
    "audit_org_actor_id": f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 3 AND actor_id = '43' {PAGE}",
    "audit_org_target_id": f"SELECT * FROM anneal_audit_auditrecord WHERE organization_id = 3 "
                           f"AND target_type = 'project' AND target_id = '43' {PAGE}",
    "audit_time_brin": "SELECT count(*) FROM anneal_audit_auditrecord WHERE occurred_at >= '2026-01-05' "
                       "AND occurred_at < '2026-01-06'",
}


def indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'anneal_audit_auditrecord'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.parametrize("index", sorted(KEPT))
def test_each_kept_index_is_read_by_its_product_query(index):
    with connection.cursor() as cursor:
        cursor.execute(SEED)
        cursor.execute("ANALYZE anneal_audit_auditrecord")
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + KEPT[index])
            plan = "\n".join(line for (line,) in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert index in plan, plan


def test_the_records_keep_only_the_indexes_a_product_query_reads():
    assert indexes() == {"anneal_audit_auditrecord_pkey", *KEPT}


def test_the_time_index_migration_applies_forward_and_backward():
    executor = MigrationExecutor(connection)
    executor.migrate([("anneal_audit", "0005_event_id_not_indexed")])
    assert "audit_org_time" in indexes() and "audit_time_brin" not in indexes()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("anneal_audit", "0007_time_index_with_ids")])
    assert "audit_time_brin" in indexes() and "audit_org_time" not in indexes()


def _time_index_columns() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'audit_time_brin'")
        return cursor.fetchone()[0].split("USING brin ")[1]


def test_the_time_index_summarises_ids_too_and_its_migration_applies_backward():
    assert _time_index_columns().startswith("(occurred_at, id)")
    executor = MigrationExecutor(connection)
    executor.migrate([("anneal_audit", "0006_time_index_brin")])
    assert _time_index_columns().startswith("(occurred_at)")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("anneal_audit", "0007_time_index_with_ids")])
    assert _time_index_columns().startswith("(occurred_at, id)")


OLD_DAY = ("2026-01-02", "2026-01-03")  # the seed runs two weeks: the newest day is 2026-01-14


def _rows_removed(plan: str) -> int:
    return sum(int(line.split(":")[1]) for line in plan.splitlines() if "Rows Removed by" in line)


def test_an_old_window_page_reads_the_window_not_every_newer_record():
    from datetime import datetime, timezone

    from anneal_enterprise.audit.models import AuditRecord
    from anneal_enterprise.audit.query import Filters, filtered, page_rows

    with connection.cursor() as cursor:
        cursor.execute(SEED)
        cursor.execute("ANALYZE anneal_audit_auditrecord")
    since, until = (datetime.fromisoformat(d).replace(tzinfo=timezone.utc) for d in OLD_DAY)
    newer = 20000 - 2 * 1440  # the records after 2026-01-03
    plain = (AuditRecord.objects.filter(organization_id=3, occurred_at__gte=since, occurred_at__lte=until)
             .order_by("-id")[:51].explain(analyze=True))
    assert _rows_removed(plain) > newer // 2, plain  # what the plain filter reads (the walk of the issue)
    ranged = page_rows(filtered(3, Filters(since=since, until=until)), ("-id",), 51).explain(analyze=True)
    assert _rows_removed(ranged) < 1500, ranged  # the window's one day of records at most

