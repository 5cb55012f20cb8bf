"""The first page of a big organization's audit log reads its ids from the organization's index,
while another organization writes newer records: the API and the web page, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anneal_enterprise.audit.models import AuditRecord
from anneal_enterprise.audit.query import Filters, filtered, page

pytestmark = pytest.mark.django_db

API = "/api/v1/plugins/enterprise/audit/organizations/{}/records"
WEB = "/plugins/enterprise/audit/organizations/{}/"


def _records(organization_id: int, count: int) -> None:
    AuditRecord.objects.bulk_create(
        AuditRecord(event_id="00000000-0000-0000-0000-000000000000", organization_id=organization_id,
                    occurred_at="2026-01-01T00:00:00Z", type="project.updated", actor_kind="user",
                    target_type="project", target_id=str(n % 7))
        for n in range(count))


@pytest.fixture
def busy_neighbour(organization, make_organization):
    """The organization's records, then newer ones of another organization."""
    _records(organization.pk, 60)
    other = make_organization()
    _records(other.pk, 40)
    return other


def _record_query(queries: CaptureQueriesContext) -> str:
    reads = [q["sql"] for q in queries.captured_queries
             if 'FROM "anneal_audit_auditrecord"' in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    return reads[0]


def _selects_ids_of_the_organization_first(sql: str, organization_id: int) -> bool:
    """``… WHERE organization_id = ? AND id IN (SELECT id … WHERE organization_id = ? ORDER BY id DESC LIMIT n)``."""
    inner = re.search(r'IN \(SELECT (U0\.)?"id"( AS "pk")? FROM "anneal_audit_auditrecord" (U0 )?WHERE (?P<where>.*?) '
                      r'ORDER BY (U0\.)?"id" DESC LIMIT (?P<limit>\d+)\)', sql)
    return bool(inner) and f'"organization_id" = {organization_id}' in inner["where"]


def test_a_page_selects_the_organizations_ids_in_a_subquery_before_reading_records(organization, busy_neighbour):
    with CaptureQueriesContext(connection) as queries:
        records, cursor = page(filtered(organization.pk, Filters()), None, 50)

    assert len(records) == 50 and cursor is not None
    assert {r.organization_id for r in records} == {organization.pk}
    assert _selects_ids_of_the_organization_first(_record_query(queries), organization.pk)


def test_the_api_first_page_reads_ids_by_organization_and_shows_only_its_records(
        organization, busy_neighbour, api_client_for):
    api = api_client_for(organization.memberships.get().user)
    with CaptureQueriesContext(connection) as queries:
        body = api.get(API.format(organization.slug)).json()

    ids = [r["id"] for r in body["results"]]
    newest = list(AuditRecord.objects.filter(organization_id=organization.pk).order_by("-id")
                  .values_list("id", flat=True)[:50])
    assert ids == newest and body["next"]
    assert _selects_ids_of_the_organization_first(_record_query(queries), organization.pk)


def test_the_web_first_page_reads_ids_by_organization(organization, busy_neighbour, web_client_for):
    web = web_client_for(organization.memberships.get().user)
    with CaptureQueriesContext(connection) as queries:
        response = web.get(WEB.format(organization.slug))

    assert response.status_code == 200
    assert response.content.decode().count("<tr data-record=") == 50
    assert _selects_ids_of_the_organization_first(_record_query(queries), organization.pk)


def test_every_record_is_on_exactly_one_page_with_the_neighbour_writing_in_between(organization, busy_neighbour):
    seen, cursor = [], None
    while True:
        records, cursor = page(filtered(organization.pk, Filters()), cursor, 7)
        seen += [r.id for r in records]
        _records(busy_neighbour.pk, 3)
        if cursor is None:
            break

    assert seen == list(AuditRecord.objects.filter(organization_id=organization.pk).order_by("-id")
                        .values_list("id", flat=True))


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the plan is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # VACUUM: the visibility map autovacuum keeps, outside a transaction
def test_on_postgresql_the_first_page_scans_the_organizations_index_not_the_primary_key(organization,
                                                                                        make_organization):
    _records(organization.pk, 20000)
    _records(make_organization().pk, 2000)  # newer: a walk of the primary key would pass them first
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE anneal_audit_auditrecord")
        sql, params = page_query_of(organization.pk)
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "using audit_org_id" in plan and "Index Cond: (organization_id = " in plan, plan
    assert "Rows Removed by Filter" not in plan and "Backward using anneal_audit_auditrecord_pkey" not in plan, plan


def page_query_of(organization_id: int) -> tuple[str, tuple]:
    from core.keyset import page_rows

    return page_rows(filtered(organization_id, Filters()), ("-id",), 51).query.sql_with_params()
