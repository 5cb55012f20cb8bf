"""Sealing chains records per organization; verify finds the first changed, removed, inserted
or reordered record after tampering done directly in SQL (as the table owner)."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from anneal_enterprise.audit import sealing, verify
from anneal_enterprise.audit.models import AuditCheckpoint, AuditRecord, AuditSeal
from core.services import projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(sealed_pair):
    organization, _, ids = sealed_pair
    return organization, ids


def problem_of(organization):
    report = verify.verify_organization(organization.pk)
    assert not report.intact, report.summary()
    return report.problem


def test_sealing_writes_one_signed_checkpoint_per_organization_and_verify_passes(sealed):
    organization, ids = sealed
    checkpoint = AuditCheckpoint.objects.get(organization_id=organization.pk)

    assert (checkpoint.first_record_id, checkpoint.last_record_id, checkpoint.record_count) == (ids[0], ids[-1], len(ids))
    assert AuditSeal.objects.filter(organization_id=organization.pk).count() == len(ids)
    reports = verify.verify_all()
    assert reports and all(report.intact for report in reports), [r.summary() for r in reports]


def test_a_second_run_chains_new_records_onto_the_previous_checkpoint(sealed):
    organization, ids = sealed
    projects.create_project(organization, "Later")
    assert sealing.seal().records == 1

    first, second = AuditCheckpoint.objects.filter(organization_id=organization.pk).order_by("id")
    assert second.previous_signature == first.signature
    assert verify.verify_organization(organization.pk).intact


def test_nothing_to_seal_writes_no_checkpoint(sealed):
    count = AuditCheckpoint.objects.count()
    assert sealing.seal().records == 0
    assert AuditCheckpoint.objects.count() == count


def test_verify_reports_a_changed_record(sealed, tamper):
    organization, ids = sealed
    tamper("UPDATE anneal_audit_auditrecord SET actor_display = 'someone else' WHERE id = %s", [ids[2]])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("changed", ids[2])


def test_verify_reports_a_removed_record(sealed, tamper):
    organization, ids = sealed
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[3]])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("removed", ids[3])


def test_verify_reports_a_record_removed_together_with_its_seal(sealed, tamper):
    organization, ids = sealed
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[3]])
    tamper("DELETE FROM anneal_audit_auditseal WHERE record_id = %s", [ids[3]])

    problem = problem_of(organization)
    assert problem.kind == "removed"
    assert problem.record_id == ids[4]
    assert f"#{ids[2]}" in problem.message


def test_verify_reports_an_inserted_record(sealed, tamper):
    organization, ids = sealed
    gap = ids[1] + 1  # the other organization's id: free in this organization's chain after we move it
    assert gap not in ids
    tamper("INSERT INTO anneal_audit_auditrecord (id, event_id, organization_id, occurred_at, type, actor_kind, "
           "actor_id, actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id) "
           "VALUES (%s, %s, %s, %s, 'project.deleted', 'user', '1', 'forger', 'project', '1', 'p', '{}', '', '', '')",
           [-5, str(uuid.uuid4()), organization.pk, timezone.now()])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("inserted", -5)


def test_verify_reports_reordered_records(sealed, tamper):
    organization, ids = sealed
    a, b = ids[1], ids[2]
    tamper("UPDATE anneal_audit_auditrecord SET id = -1 WHERE id = %s", [a])
    tamper("UPDATE anneal_audit_auditrecord SET id = %s WHERE id = %s", [a, b])
    tamper("UPDATE anneal_audit_auditrecord SET id = %s WHERE id = -1", [b])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("reordered", a)
    assert f"#{b}" in problem.message


def test_verify_reports_a_forged_checkpoint(sealed, tamper):
    organization, ids = sealed
    tamper("UPDATE anneal_audit_auditcheckpoint SET record_count = record_count + 1 WHERE organization_id = %s",
           [organization.pk])

    assert problem_of(organization).kind == "checkpoint"


def test_verify_reports_a_record_changed_together_with_its_seal(sealed, tamper):
    organization, ids = sealed
    from anneal_enterprise.audit import reading
    from anneal_enterprise.audit.canonical import leaf_hash

    tamper("UPDATE anneal_audit_auditrecord SET ip = '6.6.6.6' WHERE id = %s", [ids[1]])
    values = dict(reading.records(organization.pk, ids[1] - 1, ids[1]))[ids[1]]
    tamper("UPDATE anneal_audit_auditseal SET leaf = %s WHERE record_id = %s", [leaf_hash(values), ids[1]])

    problem = problem_of(organization)
    assert problem.record_id == ids[1]


def test_anneal_audit_verify_says_intact_and_fails_with_the_first_problem(sealed, tamper):
    organization, ids = sealed
    out = io.StringIO()
    call_command("audit", "verify", "--organization", organization.slug, stdout=out)
    assert "Intact" in out.getvalue()

    tamper("UPDATE anneal_audit_auditrecord SET type = 'project.deleted' WHERE id = %s", [ids[0]])
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=out)
    assert f"Record #{ids[0]} was changed" in out.getvalue()


def test_a_record_committed_after_the_horizon_is_sealed_by_the_next_run(sealed):
    organization, ids = sealed
    projects.create_project(organization, "Next")
    sealing.seal()

    assert AuditSeal.objects.filter(record_id=AuditRecord.objects.latest("id").id).exists()
    assert verify.verify_organization(organization.pk).intact


def test_the_signing_key_can_come_from_a_setting(organization, settings):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from anneal_enterprise.audit import signing

    key = Ed25519PrivateKey.generate()
    settings.ANNEAL_AUDIT_SIGNING_KEY = signing.private_pem(key)
    sealing.seal()

    checkpoint = AuditCheckpoint.objects.get(organization_id=organization.pk)
    assert checkpoint.key_id == signing.key_id_of(key.public_key())
    assert verify.verify_organization(organization.pk).intact


def test_a_stored_signing_key_is_encrypted_at_rest(organization):
    from anneal_enterprise.audit.models import AuditSigningKey

    sealing.seal()
    stored = AuditSigningKey.objects.get()
    assert "PRIVATE KEY" not in stored.encrypted_private_key
    assert stored.encrypted_private_key


def test_the_integrity_page_verifies_every_organization_for_staff(sealed, client, make_user, tamper):
    organization, ids = sealed
    staff = make_user(is_staff=True)
    client.force_login(staff)
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [ids[0]])

    page = client.post("/plugins/enterprise/audit/integrity/").content.decode()
    assert f"Record #{ids[0]} was removed" in page
    assert "Intact" in page  # the other organization


def test_moving_text_from_one_column_into_the_next_is_detected(sealed, tamper):
    """The hashed form is length-prefixed, so a separator inside a value cannot fake a boundary."""
    organization, ids = sealed
    record = AuditRecord.objects.get(id=ids[1])
    shifted = record.target_display + "\x1f" + record.details
    tamper("UPDATE anneal_audit_auditrecord SET target_display = %s, details = '' WHERE id = %s", [shifted, ids[1]])

    problem = problem_of(organization)
    assert (problem.kind, problem.record_id) == ("changed", ids[1])


@pytest.mark.parametrize("text", ["plain", "ünïcödé ✓ 𝄞", "with\x1fseparator", "", "line\nbreak", "a:b"])
def test_sql_and_python_leaves_agree_for_awkward_text(organization, text):
    from django.db import transaction

    from anneal_enterprise.audit import reading
    from anneal_enterprise.audit.canonical import leaf_hash
    from core.events import Target, emit

    emit("project.updated", organization=organization, target=Target("project", "1", text),
         data={"note": text})
    record_id = AuditRecord.objects.latest("id").id
    with transaction.atomic():
        (_, values), = list(reading.records(organization.pk, record_id - 1, record_id))
        (_, leaf), = list(reading.records(organization.pk, record_id - 1, record_id, leaves=True))
    assert (leaf if isinstance(leaf, str) else leaf_hash(leaf)) == leaf_hash(values)


def test_the_django_admin_action_verifies_the_selected_records_organizations(sealed, client, make_user, tamper):
    organization, ids = sealed
    client.force_login(make_user(is_staff=True, is_superuser=True))
    tamper("UPDATE anneal_audit_auditrecord SET ip = '6.6.6.6' WHERE id = %s", [ids[2]])

    page = client.post("/admin/anneal_audit/auditrecord/", {"action": "verify_organizations",
                                                            "_selected_action": [ids[0]]}, follow=True)
    assert f"Record #{ids[2]} was changed" in page.content.decode()


def test_the_health_check_notices_records_waiting_to_be_sealed(organization, tamper):
    from datetime import timedelta

    from anneal_enterprise.audit.hooks import audit_counts, sealing_health

    assert sealing_health().ok  # just recorded: within the interval
    tamper("UPDATE anneal_audit_auditrecord SET occurred_at = %s", [timezone.now() - timedelta(hours=1)])
    assert not sealing_health().ok
    sealing.seal()
    assert sealing_health().ok
    assert audit_counts()["records"] == AuditRecord.objects.count()
