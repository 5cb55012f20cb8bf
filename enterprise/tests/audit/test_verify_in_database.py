"""On PostgreSQL the verify checks the whole chain in the database (leaves, links, checkpoint
heads) and only counts come back; it may only say "intact". Tampering done in SQL with the
triggers disabled makes it give way to the walk in Python, which names the record. SQLite
always walks in Python."""

from __future__ import annotations

import pytest
from django.db import connection

from anneal_enterprise.audit import database_check, reading, verify
from anneal_enterprise.audit.canonical import chain_hash

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


@pytest.fixture(params=["one statement", pytest.param("three connections", marks=pytest.mark.django_db(transaction=True))])
def checked_in(request, monkeypatch):
    """How a range is checked: one statement on the verifying connection, or (the data committed,
    so that other connections see it) three parts on connections of their own."""
    if request.param == "three connections":
        monkeypatch.setattr(database_check, "SPLIT_FROM", 1)
        monkeypatch.setenv("ANNEAL_AUDIT_VERIFY_CONNECTIONS", "3")
    return request.param


@pytest.fixture
def chain_checks(monkeypatch):
    """Every :class:`database_check.ChainCheck` the verify got."""
    made: list = []
    check = database_check.check_chain

    def recorded(*args, **kwargs):
        made.append(result := check(*args, **kwargs))
        return result

    monkeypatch.setattr(database_check, "check_chain", recorded)
    return made


@pytest.fixture
def decisions(monkeypatch, checked_in):
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
def test_an_intact_log_is_judged_in_the_database_alone(sealed_pair, decisions, chain_checks, checked_in):
    organization, _, ids = sealed_pair

    report = verify.verify_organization(organization.pk)
    assert report.intact and report.records == len(ids)
    assert len(decisions) == 1 and decisions[0].records == len(ids)
    assert [check.parts for check in chain_checks] == [3 if checked_in == "three connections" else 1]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_parts_of_a_range_find_what_one_statement_finds(sealed_pair, tamper, monkeypatch):
    """Each boundary between parts is where a link is checked against the stored chain of the
    seal before it: a change on either side of a boundary is found, by the part that holds it."""
    organization, _, ids = sealed_pair
    monkeypatch.setattr(database_check, "SPLIT_FROM", 1)
    limit = ids[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain FROM anneal_audit_auditseal WHERE record_id = %s", [limit])
        head = cursor.fetchone()[0]
    from anneal_enterprise.audit.canonical import GENESIS
    from django.db import transaction

    def both() -> tuple:
        with transaction.atomic():
            one = database_check.check_chain(organization.pk, ids[0] - 1, limit, GENESIS, [limit], connections=1)
        with transaction.atomic():
            parts = database_check.check_chain(organization.pk, ids[0] - 1, limit, GENESIS, [limit],
                                               connections=len(ids))
        assert (one.parts, parts.parts) == (1, len(ids))  # one record a part: every link crosses a boundary
        assert (parts.records, parts.first_problem, parts.chains, parts.seals) == \
            (one.records, one.first_problem, one.chains, one.seals)
        return parts.first_problem, parts.records, parts.seals

    assert both() == (None, len(ids), len(ids))
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain FROM anneal_audit_auditseal WHERE record_id = %s", [ids[1]])
        original = cursor.fetchone()[0]
    tamper("UPDATE anneal_audit_auditseal SET chain = %s WHERE record_id = %s", ["f" * 64, ids[1]])
    assert both() == (ids[1], len(ids), len(ids))  # its own link, and the next part's first link
    tamper("UPDATE anneal_audit_auditseal SET chain = %s WHERE record_id = %s", [original, ids[1]])
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[3]])
    tamper("DELETE FROM anneal_audit_auditseal WHERE record_id = %s", [ids[3]])
    # The record after the removed one, first of its part, chains from a seal that is gone.
    assert both() == (ids[4], len(ids) - 1, len(ids) - 1)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_when_no_other_connection_can_be_opened_the_range_is_checked_in_one_statement(
        sealed_pair, monkeypatch):
    import socket

    from anneal_enterprise.audit.canonical import GENESIS
    from django.db import transaction

    organization, _, ids = sealed_pair
    monkeypatch.setattr(database_check, "SPLIT_FROM", 1)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]  # nothing listens there once the socket is closed
    params = connection.get_connection_params()
    monkeypatch.setattr(connection, "get_connection_params", lambda: {**params, "port": closed_port})

    with transaction.atomic():
        checked = database_check.check_chain(organization.pk, ids[0] - 1, ids[-1], GENESIS, [], connections=3)
    assert (checked.parts, checked.records, checked.first_problem) == (1, len(ids), None)


@postgres_only
def test_the_database_check_finds_the_first_record_without_a_matching_leaf(sealed_pair, tamper):
    organization, _, ids = sealed_pair
    tamper("UPDATE anneal_audit_auditrecord SET target_display = 'x' WHERE id = %s", [ids[2]])
    span_start, limit = ids[0] - 1, ids[-1]

    with connection.cursor() as cursor:
        cursor.execute("SELECT chain FROM anneal_audit_auditseal WHERE record_id = %s", [ids[-1]])
        head = cursor.fetchone()[0]
    from anneal_enterprise.audit.canonical import GENESIS

    checked = database_check.check_chain(organization.pk, span_start, limit, GENESIS, [ids[-1]])
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
