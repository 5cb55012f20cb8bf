"""Verify's read on PostgreSQL (records merge-joined with their seals, checked in the database)
leaves out seals whose record is gone: tampering aimed at that gap must still be found, naming the record."""

from __future__ import annotations

import pytest
from django.db import connection

from anneal_enterprise.audit import verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(sealed_pair):
    return sealed_pair


def problem_of(organization):
    report = verify.verify_organization(organization.pk)
    assert not report.intact, report.summary()
    return report.problem


def test_an_intact_log_is_verified_record_by_record(sealed):
    organization, _, ids = sealed

    report = verify.verify_organization(organization.pk)
    assert report.intact, report.summary()
    assert report.records == len(ids)


def test_a_removed_last_record_whose_seal_remains_is_named(sealed, tamper):
    organization, _, ids = sealed
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[-1]])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("removed", ids[-1])


def test_a_removed_record_whose_seal_is_moved_to_another_organization_breaks_the_chain(sealed, tamper):
    organization, other, ids = sealed
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[3]])
    tamper("UPDATE anneal_audit_auditseal SET organization_id = %s WHERE record_id = %s", [other.pk, ids[3]])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("removed", ids[4])
    assert f"#{ids[2]}" in problem.message


def test_a_seal_moved_to_another_organization_leaves_its_record_unsealed(sealed, tamper):
    organization, other, ids = sealed
    tamper("UPDATE anneal_audit_auditseal SET organization_id = %s WHERE record_id = %s", [other.pk, ids[2]])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("inserted", ids[2])


def test_a_truncated_records_table_is_found_at_its_first_sealed_record(sealed, tamper):
    organization, _, ids = sealed
    tamper("TRUNCATE anneal_audit_auditrecord" if connection.vendor == "postgresql" else
           "DELETE FROM anneal_audit_auditrecord")

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("removed", ids[0])


def test_a_seal_added_for_a_record_that_never_existed_is_found(sealed, tamper):
    organization, _, ids = sealed
    tamper("INSERT INTO anneal_audit_auditseal (record_id, organization_id, leaf, chain) VALUES (%s, %s, %s, %s)",
           [-7, organization.pk, "0" * 64, "0" * 64])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("removed", -7)


FORCE_PARALLEL = ["SET LOCAL parallel_setup_cost = 0", "SET LOCAL parallel_tuple_cost = 0",
                  "SET LOCAL min_parallel_table_scan_size = 0", "SET LOCAL min_parallel_index_scan_size = 0"]


def force_parallel_workers() -> None:
    """Make PostgreSQL plan parallel workers even for the test's few records (the records then
    reach the verify through their merge, as a million do)."""
    with connection.cursor() as cursor:
        for statement in FORCE_PARALLEL:
            cursor.execute(statement)
        cursor.execute("EXPLAIN SELECT id FROM anneal_audit_auditrecord WHERE id > 0 ORDER BY id")
        assert "Gather" in "\n".join(line for line, in cursor.fetchall())


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_record_removed_in_the_middle_is_named_when_parallel_workers_compute_the_leaves(sealed, tamper):
    organization, _, ids = sealed
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[3]])
    force_parallel_workers()

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("removed", ids[3])


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_intact_log_read_by_parallel_workers_is_verified_record_by_record(sealed):
    organization, _, ids = sealed
    force_parallel_workers()

    report = verify.verify_organization(organization.pk)
    assert report.intact, report.summary()
    assert report.records == len(ids)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_verify_leaves_the_connections_parallel_settings_as_they_were(sealed):
    organization, _, _ = sealed

    assert verify.verify_organization(organization.pk).intact
    with connection.cursor() as cursor:
        cursor.execute("SHOW parallel_leader_participation")
        assert cursor.fetchone()[0] == "on"


MANY_RECORDS = """
INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id,
    actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id)
SELECT gen_random_uuid(), %s, now(), 'project.updated', 'user', '1', 'someone@example.com', 'project', g::text,
    'website', '{"data":{},"diff":{"description":["old","new ' || g || '"]}}', '10.0.0.1', 'Mozilla/5.0', md5(g::text)
FROM generate_series(1, %s) g
"""


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_record_changed_early_in_a_long_read_is_named_after_the_read_is_cut_short(organization, tamper):
    """The fast read stops at the first problem while PostgreSQL is still sending rows: the
    cancelled query must not leave the verify's transaction aborted for the full read."""
    from anneal_enterprise.audit import sealing
    from anneal_enterprise.audit.models import AuditRecord

    with connection.cursor() as cursor:
        cursor.execute(MANY_RECORDS, [organization.pk, 30_000])
    assert sealing.seal().records == AuditRecord.objects.count()
    changed = AuditRecord.objects.filter(organization_id=organization.pk).order_by("id").values_list("id", flat=True)[1]
    tamper("UPDATE anneal_audit_auditrecord SET details = '{}' WHERE id = %s", [changed])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("changed", changed)
    with connection.cursor() as cursor:
        cursor.execute("SHOW parallel_leader_participation")
        assert cursor.fetchone()[0] == "on"
