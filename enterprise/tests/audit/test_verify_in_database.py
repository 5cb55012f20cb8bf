"""On PostgreSQL the verify checks the whole chain in the database (leaves, links, checkpoint
heads) and only counts come back; it may only say "intact". Tampering done in SQL with the
triggers disabled makes it give way to the walk in Python, which names the record. SQLite
always walks in Python."""

from __future__ import annotations

import pytest
from django.db import connection

from anneal_enterprise.audit import reading, verify
from anneal_enterprise.audit.canonical import chain_hash

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


@pytest.fixture
def decisions(monkeypatch):
    """What each call of the in-database check returned (``None``: it gave way to the walk)."""
    made: list = []
    check = verify.checked_in_database

    def recorded(*args):
        made.append(result := check(*args))
        return result

    monkeypatch.setattr(verify, "checked_in_database", recorded)
    return made


def problem_of(organization):
    report = verify.verify_organization(organization.pk)
    assert not report.intact, report.summary()
    return report.problem


@postgres_only
def test_an_intact_log_is_judged_in_the_database_alone(sealed_pair, decisions):
    organization, _, ids = sealed_pair

    report = verify.verify_organization(organization.pk)
    assert report.intact and report.records == len(ids)
    assert len(decisions) == 1 and decisions[0].records == len(ids)


@postgres_only
def test_the_database_check_finds_the_first_record_without_a_matching_leaf(sealed_pair, tamper):
    organization, _, ids = sealed_pair
    tamper("UPDATE anneal_audit_auditrecord SET target_display = 'x' WHERE id = %s", [ids[2]])
    span_start, limit = ids[0] - 1, ids[-1]

    with connection.cursor() as cursor:
        cursor.execute("SELECT chain FROM anneal_audit_auditseal WHERE record_id = %s", [ids[-1]])
        head = cursor.fetchone()[0]
    from anneal_enterprise.audit.canonical import GENESIS

    checked = reading.check_chain(organization.pk, span_start, limit, GENESIS, [ids[-1]])
    assert (checked.first_problem, checked.records, checked.seals) == (ids[2], len(ids), len(ids))
    assert checked.chains == {ids[-1]: head}


@postgres_only
def test_a_changed_record_makes_the_database_check_give_way_and_is_named(sealed_pair, tamper, decisions):
    organization, _, ids = sealed_pair
    tamper("UPDATE anneal_audit_auditrecord SET actor_display = 'someone else' WHERE id = %s", [ids[2]])

    problem = problem_of(organization)
    assert decisions == [None]
    assert (problem.kind, problem.record_id) == ("changed", ids[2])


@postgres_only
def test_a_seal_whose_chain_is_altered_is_found_by_the_link_after_it(sealed_pair, tamper, decisions):
    organization, _, ids = sealed_pair
    tamper("UPDATE anneal_audit_auditseal SET chain = %s WHERE record_id = %s", ["f" * 64, ids[1]])

    problem = problem_of(organization)
    assert decisions == [None]
    assert problem.record_id == ids[1]


@postgres_only
def test_a_record_and_every_seal_after_it_rewritten_consistently_is_caught_by_the_signed_head(
        sealed_pair, tamper, decisions):
    """The attacker recomputes the leaf and every chain after it: each link follows, only the
    signed checkpoint's head differs."""
    organization, _, ids = sealed_pair
    tamper("UPDATE anneal_audit_auditrecord SET ip = '6.6.6.6' WHERE id = %s", [ids[1]])
    from anneal_enterprise.audit.canonical import leaf_hash

    values = dict(reading.records(organization.pk, ids[1] - 1, ids[1]))[ids[1]]
    tamper("UPDATE anneal_audit_auditseal SET leaf = %s WHERE record_id = %s", [leaf_hash(values), ids[1]])
    with connection.cursor() as cursor:
        cursor.execute("SELECT record_id, leaf, chain FROM anneal_audit_auditseal WHERE organization_id = %s "
                       "ORDER BY record_id", [organization.pk])
        seals = cursor.fetchall()
    previous = seals[0][2]
    for record_id, leaf, _ in seals[1:]:
        previous = chain_hash(previous, record_id, leaf)
        tamper("UPDATE anneal_audit_auditseal SET chain = %s WHERE record_id = %s", [previous, record_id])

    problem = problem_of(organization)
    assert decisions == [None]
    assert (problem.kind, problem.record_id) == ("checkpoint", ids[-1])


@postgres_only
def test_a_removed_record_whose_seal_remains_makes_the_counts_differ(sealed_pair, tamper, decisions):
    organization, _, ids = sealed_pair
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[-1]])

    problem = problem_of(organization)
    assert decisions == [None]
    assert (problem.kind, problem.record_id) == ("removed", ids[-1])


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_sqlite_walks_every_record_in_python_and_names_a_changed_one(sealed_pair, tamper, decisions):
    organization, _, ids = sealed_pair
    assert verify.verify_organization(organization.pk).records == len(ids)
    tamper("UPDATE anneal_audit_auditrecord SET actor_display = 'someone else' WHERE id = %s", [ids[2]])

    problem = problem_of(organization)
    assert decisions == []
    assert (problem.kind, problem.record_id) == ("changed", ids[2])
