"""Verify's fast read on PostgreSQL (records merge-joined with their seals, streamed) leaves out
seals whose record is gone: tampering aimed at that gap must still be found, naming the record."""

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
