"""On PostgreSQL: the record shares the change's transaction, and the tables are append-only."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.db import connection, transaction

from anneal_enterprise.audit import sealing, verify
from anneal_enterprise.audit.models import AuditRecord
from core.models import Project
from core.services import projects

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                           user=settings["USER"], dbname=settings["NAME"], autocommit=True)


def records_seen_elsewhere(event_type: str) -> int:
    with other_connection() as conn:
        return conn.execute("SELECT count(*) FROM anneal_audit_auditrecord WHERE type = %s", [event_type]).fetchone()[0]


def test_a_committed_change_has_its_record_committed_in_the_same_transaction(organization):
    with transaction.atomic():
        projects.create_project(organization, "Website")
        assert AuditRecord.objects.filter(type="project.created").exists()  # written inside the transaction
        assert records_seen_elsewhere("project.created") == 0  # and not before it commits

    assert records_seen_elsewhere("project.created") == 1


def test_a_rolled_back_change_leaves_no_record(organization):
    with pytest.raises(RuntimeError), transaction.atomic():
        projects.create_project(organization, "Website")
        raise RuntimeError("the request failed after the change")

    assert not Project.objects.exists()
    assert records_seen_elsewhere("project.created") == 0


def test_a_failing_audit_write_rolls_the_change_back(organization, tamper):
    tamper("ALTER TABLE anneal_audit_auditrecord ADD CONSTRAINT no_projects CHECK (type <> 'project.created')")
    try:
        with pytest.raises(Exception):
            projects.create_project(organization, "Website")
        assert not Project.objects.exists()
    finally:
        tamper("ALTER TABLE anneal_audit_auditrecord DROP CONSTRAINT no_projects")


@pytest.mark.parametrize("statement", [
    "UPDATE anneal_audit_auditrecord SET actor_display = 'x'",
    "DELETE FROM anneal_audit_auditrecord",
    "TRUNCATE anneal_audit_auditrecord",
    "UPDATE anneal_audit_auditseal SET leaf = 'x'",
    "DELETE FROM anneal_audit_auditcheckpoint",
    "DELETE FROM anneal_audit_auditinstancehead",
    "UPDATE anneal_audit_auditinstancehead SET sealed_through = 0",
    "TRUNCATE anneal_audit_auditinstancehead",
])
def test_the_database_refuses_to_change_or_remove_audit_rows(organization, statement):
    sealing.seal()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL anneal.audit_test_database = 'off'")
        cursor.execute(statement)
    assert verify.verify_organization(organization.pk).intact


def test_the_sealer_waits_for_a_transaction_still_writing_records(organization, settings):
    """A record with a smaller id that commits later must not be left outside the chain."""
    settings.ANNEAL_AUDIT_SEAL_LOCK_TIMEOUT = 0.3
    written, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_request() -> None:
        try:
            with transaction.atomic():
                projects.create_project(organization, "Slow")
                written.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_request)
    thread.start()
    written.wait(10)
    projects.create_project(organization, "Fast")  # a larger id, committed first

    assert sealing.seal().skipped  # not sealing past the open transaction
    release.set()
    done.wait(10)
    thread.join()
    result = sealing.seal()
    assert not result.skipped
    assert verify.verify_organization(organization.pk).intact
    assert AuditRecord.objects.filter(type="project.created").count() == 2


@pytest.mark.parametrize("table", ["anneal_audit_auditcheckpoint", "anneal_audit_auditinstancehead"])
def test_the_purge_setting_does_not_open_checkpoints_or_instance_heads(organization, table):
    """``SET LOCAL anneal.audit_purge = 'on'`` lets the application's role delete records and seals,
    never what proves them."""
    sealing.seal()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL anneal.audit_test_database = 'off'")
        cursor.execute("SET LOCAL anneal.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM {table}")
    assert verify.verify_organization(organization.pk).intact


def test_concurrent_audited_writes_while_the_sealer_runs_leave_a_complete_verifiable_chain(organization, settings):
    """Six writers and a sealer running at once: every record is sealed exactly once, in id order."""
    from anneal_enterprise.audit.models import AuditSeal

    settings.ANNEAL_AUDIT_SEAL_LOCK_TIMEOUT = 0.2
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for index in range(15):
                with transaction.atomic():
                    projects.create_project(organization, f"W{number}-{index}")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    runs = 0
    while any(thread.is_alive() for thread in threads):
        sealing.seal()
        runs += 1
    for thread in threads:
        thread.join()
    sealing.seal()

    assert not errors, errors
    assert runs > 1
    assert AuditRecord.objects.filter(type="project.created").count() == 90
    assert AuditSeal.objects.count() == AuditRecord.objects.count()
    assert verify.verify_organization(organization.pk).intact
