"""Cutting the end off the log is detected and located: the newest records with their
checkpoint, a whole organization, a purge checkpoint, a purge by hand or outside the policy,
the newest instance heads. Tampering is done in SQL as the table owner, triggers off."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from anneal_enterprise.audit import retention, sealing, verify
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead, AuditRecord, AuditSealState
from core.services import projects
from core.services.organizations import create_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_organizations(organization):
    """Two organizations, each sealed in three runs (three checkpoints each)."""
    other = create_organization(organization.memberships.get().user, "Other")
    for run in range(3):
        for number in range(3):
            projects.create_project(organization, f"Run {run} project {number}")
            projects.create_project(other, f"Run {run} project {number}")
        sealing.seal()
    return organization, other


def problem_of(organization_id):
    report = verify.verify_organization(organization_id)
    assert not report.intact, report.summary()
    return report.problem


def newest_checkpoint(organization_id) -> AuditCheckpoint:
    return AuditCheckpoint.objects.filter(organization_id=organization_id).order_by("-sequence").first()


def cut_the_tail(tamper, organization_id) -> AuditCheckpoint:
    """Delete an organization's newest checkpoint and every record (and seal) it covered."""
    checkpoint = newest_checkpoint(organization_id)
    tamper("DELETE FROM anneal_audit_auditrecord WHERE organization_id = %s AND id >= %s",
           [organization_id, checkpoint.first_record_id])
    tamper("DELETE FROM anneal_audit_auditseal WHERE organization_id = %s AND record_id >= %s",
           [organization_id, checkpoint.first_record_id])
    tamper("DELETE FROM anneal_audit_auditcheckpoint WHERE id = %s", [checkpoint.id])
    return checkpoint


def test_every_checkpoint_carries_its_sequence_number_and_the_previous_ones_hash(two_organizations):
    from anneal_enterprise.audit.canonical import checkpoint_hash
    from anneal_enterprise.audit.documents import checkpoint_dict

    organization, _ = two_organizations
    checkpoints = list(AuditCheckpoint.objects.filter(organization_id=organization.pk).order_by("id"))

    assert [c.sequence for c in checkpoints] == [1, 2, 3]
    assert [c.previous_hash for c in checkpoints[1:]] == [checkpoint_hash(checkpoint_dict(c)) for c in checkpoints[:-1]]
    assert AuditInstanceHead.objects.count() == 3
    assert all(report.intact for report in verify.verify_all()), [r.summary() for r in verify.verify_all()]


def test_removing_the_newest_records_with_their_checkpoint_is_named_by_the_instance_chain(two_organizations, tamper):
    organization, other = two_organizations
    removed = cut_the_tail(tamper, organization.pk)

    problem = problem_of(organization.pk)
    assert (problem.kind, problem.checkpoint) == ("truncated", 3)
    assert (f"Checkpoint 3 of organization {organization.pk} is missing; the instance chain expected it"
            in problem.message)
    left = newest_checkpoint(organization.pk)
    assert problem.record_id == left.last_record_id < removed.first_record_id  # where the trail now ends
    assert f"The newest left is checkpoint 2 (records up to #{left.last_record_id})" in problem.message
    assert verify.verify_organization(other.pk).intact


def test_wiping_an_organizations_whole_trail_is_detected_and_named(two_organizations, tamper):
    organization, other = two_organizations
    for table, column in [("auditrecord", "organization_id"), ("auditseal", "organization_id"),
                          ("auditcheckpoint", "organization_id")]:
        tamper(f"DELETE FROM anneal_audit_{table} WHERE {column} = %s", [other.pk])

    problem = problem_of(other.pk)
    assert problem.kind == "truncated"
    assert f"Checkpoint 3 of organization {other.pk} is missing; the instance chain expected it" in problem.message
    assert "whole audit trail was removed" in problem.message
    reports = {report.organization_id: report for report in verify.verify_all()}
    assert not reports[other.pk].intact  # verify of every organization still names it
    assert reports[organization.pk].intact


def test_anneal_audit_verify_fails_for_a_wiped_organization_instead_of_saying_intact(two_organizations, tamper):
    organization, other = two_organizations
    for table in ["auditrecord", "auditseal", "auditcheckpoint"]:
        tamper(f"DELETE FROM anneal_audit_{table} WHERE organization_id = %s", [other.pk])
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("audit", "verify", "--organization", str(other.pk), stdout=out)
    assert "TAMPERED" in out.getvalue() and "Intact" not in out.getvalue()


def test_removing_a_middle_checkpoint_names_the_missing_sequence_number(two_organizations, tamper):
    organization, _ = two_organizations
    middle = AuditCheckpoint.objects.get(organization_id=organization.pk, sequence=2)
    tamper("DELETE FROM anneal_audit_auditcheckpoint WHERE id = %s", [middle.id])

    problem = problem_of(organization.pk)
    assert (problem.kind, problem.checkpoint) == ("truncated", 2)
    assert "checkpoint 3 follows checkpoint 1" in problem.message


def test_the_next_seal_run_keeps_a_removed_newest_checkpoint_visible(two_organizations, tamper):
    organization, _ = two_organizations
    cut_the_tail(tamper, organization.pk)
    projects.create_project(organization, "After the cut")
    sealing.seal()

    problem = problem_of(organization.pk)
    assert (problem.kind, problem.checkpoint) == ("truncated", 3)
    assert "checkpoint 4 follows checkpoint 2" in problem.message


def test_removing_the_newest_instance_head_too_is_caught_by_the_sealers_state(two_organizations, tamper):
    organization, _ = two_organizations
    cut_the_tail(tamper, organization.pk)
    tamper("DELETE FROM anneal_audit_auditinstancehead WHERE sequence = 3")

    problem = problem_of(organization.pk)
    assert problem.kind == "instance"
    assert "Instance head 3 is missing: the sealer's state says it was written" in problem.message


def test_the_next_seal_run_keeps_removed_instance_heads_visible(two_organizations, tamper):
    organization, _ = two_organizations
    cut_the_tail(tamper, organization.pk)
    tamper("DELETE FROM anneal_audit_auditinstancehead WHERE sequence = 3")
    projects.create_project(organization, "After the cut")
    sealing.seal()

    problem = problem_of(organization.pk)
    assert problem.kind == "instance"
    assert "Instance head 3 is missing (head 2 comes before head 4)" in problem.message


def test_moving_sealed_through_back_is_reported_as_a_gap(two_organizations, tamper):
    organization, _ = two_organizations
    state = AuditSealState.objects.get()
    tamper("UPDATE anneal_audit_auditsealstate SET sealed_through = %s", [state.sealed_through - 3])

    problem = problem_of(organization.pk)
    assert problem.kind == "instance"
    assert f"says records up to #{state.sealed_through - 3} were sealed" in problem.message


def roll_back_to_instance_head(tamper, sequence: int) -> None:
    """Remove everything after instance head ``sequence`` in every organization, and move the
    sealer's state back to match: the most an attacker with the database alone can do."""
    head = AuditInstanceHead.objects.get(sequence=sequence)
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id > %s", [head.sealed_through])
    tamper("DELETE FROM anneal_audit_auditseal WHERE record_id > %s", [head.sealed_through])
    tamper("DELETE FROM anneal_audit_auditcheckpoint WHERE last_record_id > %s", [head.sealed_through])
    tamper("DELETE FROM anneal_audit_auditinstancehead WHERE sequence > %s", [sequence])
    tamper("UPDATE anneal_audit_auditsealstate SET sealed_through = %s, head_sequence = %s",
           [head.sealed_through, sequence])


def test_a_consistent_rollback_of_the_whole_instance_is_the_limit_without_an_export(two_organizations, tamper):
    """A shorter log that is consistent everywhere: only a copy kept outside (an export or a
    SIEM stream, see test_since_export.py) proves it was longer."""
    organization, _ = two_organizations
    before = AuditRecord.objects.filter(organization_id=organization.pk).count()
    roll_back_to_instance_head(tamper, 2)

    assert AuditRecord.objects.filter(organization_id=organization.pk).count() < before
    assert all(report.intact for report in verify.verify_all())


@pytest.fixture
def purged(organization):
    """Records older than the 30-day policy purged (seen from 40 days ahead), then more sealed."""
    projects.create_project(organization, "Old")
    sealing.seal()
    retention.set_retention(organization, "30")
    sealing.seal()
    later = timezone.now() + timedelta(days=40)
    projects.create_project(organization, "Kept")
    assert retention.purge_expired(now=later)
    projects.create_project(organization, "After the purge")
    sealing.seal()
    return organization


def test_a_purge_checkpoint_records_the_policy_and_verify_accepts_it(purged):
    checkpoint = AuditCheckpoint.objects.get(organization_id=purged.pk, kind="purge")

    assert checkpoint.retention_days == 30
    assert checkpoint.newest_purged_at < checkpoint.cutoff <= checkpoint.created_at - timedelta(days=30)
    report = verify.verify_organization(purged.pk)
    assert report.intact, report.summary()


def test_deleting_a_purge_checkpoint_is_detected_and_located(purged, tamper):
    checkpoint = AuditCheckpoint.objects.get(organization_id=purged.pk, kind="purge")
    tamper("DELETE FROM anneal_audit_auditcheckpoint WHERE id = %s", [checkpoint.id])

    problem = problem_of(purged.pk)
    assert (problem.kind, problem.checkpoint) == ("truncated", checkpoint.sequence)
    assert f"Checkpoint {checkpoint.sequence} of organization {purged.pk} is missing" in problem.message


def test_deleting_the_newest_checkpoint_when_it_is_a_purge_is_named_by_the_instance_chain(organization, tamper):
    projects.create_project(organization, "Old")
    sealing.seal()
    retention.set_retention(organization, "30")
    sealing.seal()
    retention.purge_expired(now=timezone.now() + timedelta(days=40))
    checkpoint = newest_checkpoint(organization.pk)
    assert checkpoint.kind == "purge"
    tamper("DELETE FROM anneal_audit_auditcheckpoint WHERE id = %s", [checkpoint.id])

    problem = problem_of(organization.pk)
    assert (problem.kind, problem.checkpoint) == ("truncated", checkpoint.sequence)
    assert "the instance chain expected it" in problem.message


def purge_by_hand(organization_id: int, through: int) -> None:
    """What the application's own database role can do: no trigger needs disabling for it."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL anneal.audit_purge = 'on'")
        cursor.execute("DELETE FROM anneal_audit_auditrecord WHERE organization_id = %s AND id <= %s",
                       [organization_id, through])
        cursor.execute("DELETE FROM anneal_audit_auditseal WHERE organization_id = %s AND record_id <= %s",
                       [organization_id, through])


def test_a_purge_by_hand_without_a_purge_checkpoint_is_detected(two_organizations):
    organization, _ = two_organizations
    first_range = AuditCheckpoint.objects.get(organization_id=organization.pk, sequence=1)
    purge_by_hand(organization.pk, first_range.last_record_id)

    problem = problem_of(organization.pk)
    assert problem.kind == "purge"
    assert "missing from the start of the chain" in problem.message
    assert "no signed purge checkpoint covers them" in problem.message
    assert problem.record_id > first_range.last_record_id


def test_a_purge_by_hand_beyond_the_signed_purge_is_detected(purged):
    purge = AuditCheckpoint.objects.get(organization_id=purged.pk, kind="purge")
    next_range = AuditCheckpoint.objects.filter(organization_id=purged.pk, kind="seal",
                                                last_record_id__gt=purge.last_record_id).order_by("sequence").first()
    purge_by_hand(purged.pk, next_range.last_record_id)

    problem = problem_of(purged.pk)
    assert problem.kind == "purge"
    assert f"after #{purge.last_record_id}, where the signed purge ended" in problem.message


def test_a_signed_purge_with_a_cutoff_the_policy_does_not_allow_is_detected(organization):
    projects.create_project(organization, "Recent")
    retention.set_retention(organization, "30")
    sealing.seal()
    now = timezone.now()
    retention.purge_organization(organization.pk, cutoff=now + timedelta(seconds=1), now=now)

    problem = problem_of(organization.pk)
    purge = AuditCheckpoint.objects.get(organization_id=organization.pk, kind="purge")
    assert (problem.kind, problem.checkpoint) == ("purge", purge.sequence)
    assert "its retention policy (30 days) allowed only records older than" in problem.message


def test_a_signed_purge_without_a_retention_policy_is_detected(organization):
    projects.create_project(organization, "Recent")
    sealing.seal()
    now = timezone.now()
    retention.purge_organization(organization.pk, cutoff=now + timedelta(seconds=1), now=now)

    problem = problem_of(organization.pk)
    assert problem.kind == "purge"
    assert "without a retention policy in force" in problem.message


def test_the_verify_api_and_page_name_a_cut_tail(two_organizations, tamper, api_client_for, client):
    organization, _ = two_organizations
    cut_the_tail(tamper, organization.pk)
    owner = organization.memberships.get().user

    answer = api_client_for(owner).post(
        f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/verify").json()
    assert answer["intact"] is False
    assert (answer["problem"]["kind"], answer["problem"]["checkpoint"]) == ("truncated", 3)
    client.force_login(owner)
    page = client.post(f"/plugins/enterprise/audit/organizations/{organization.slug}/verify/", follow=True)
    assert "the instance chain expected it" in page.content.decode()


def forge_newest_instance_head(tamper) -> None:
    """Replace the newest instance head by one over the database as it is now, signed with a key
    of the attacker's that is added to the database's key table."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from anneal_enterprise.audit import instance, signing
    from anneal_enterprise.audit.canonical import instance_head_hash, instance_head_message
    from anneal_enterprise.audit.documents import head_dict
    from anneal_enterprise.audit.models import AuditSigningKey

    attacker = Ed25519PrivateKey.generate()
    key_id = signing.key_id_of(attacker.public_key())
    AuditSigningKey.objects.create(key_id=key_id, public_key=signing.public_pem(attacker.public_key()), active=False)
    newest = AuditInstanceHead.objects.order_by("-sequence").first()
    previous = AuditInstanceHead.objects.get(sequence=newest.sequence - 1)
    tamper("DELETE FROM anneal_audit_auditinstancehead WHERE id = %s", [newest.id])
    entries = instance._entries_of(instance.newest_checkpoints())
    forged = AuditInstanceHead(sequence=newest.sequence, previous_hash=instance_head_hash(head_dict(previous)),
                               changed="[]", state_hash=instance._state(entries), sealed_through=newest.sealed_through,
                               key_id=key_id, created_at=newest.created_at)
    forged.signature = signing.sign(attacker, instance_head_message(head_dict(forged)))
    forged.save()


def test_a_head_forged_with_a_key_added_to_the_database_is_refused_once_the_keys_are_pinned(
        two_organizations, tamper, tmp_path):
    from anneal_enterprise.audit import signing

    organization, _ = two_organizations
    pinned = tmp_path / "audit-public-key.pem"
    pinned.write_text(signing.public_keys_pem())  # kept outside the database, before the attack
    cut_the_tail(tamper, organization.pk)
    forge_newest_instance_head(tamper)

    assert verify.verify_organization(organization.pk).intact  # trusting the database's own key table
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--organization", organization.slug, "--public-key", str(pinned), stdout=out)
    assert "Instance head 3 is signed with key" in out.getvalue()
    assert "not among the public keys given" in out.getvalue()


def test_pinned_public_keys_in_the_environment_make_the_api_refuse_a_head_forged_with_a_database_key(
        two_organizations, tamper, settings, api_client_for):
    from anneal_enterprise.audit import signing

    organization, _ = two_organizations
    settings.ANNEAL_AUDIT_PUBLIC_KEYS = signing.public_keys_pem()
    cut_the_tail(tamper, organization.pk)
    forge_newest_instance_head(tamper)

    answer = api_client_for(organization.memberships.get().user).post(
        f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/verify").json()
    assert answer["intact"] is False
    assert "not among the public keys given" in answer["problem"]["message"]


def test_the_integrity_page_lists_a_wiped_organization_as_tampered(two_organizations, tamper, client, make_user):
    organization, other = two_organizations
    for table in ["auditrecord", "auditseal", "auditcheckpoint"]:
        tamper(f"DELETE FROM anneal_audit_{table} WHERE organization_id = %s", [other.pk])
    client.force_login(make_user(is_staff=True))

    page = client.post("/plugins/enterprise/audit/integrity/").content.decode()
    assert f"Checkpoint 3 of organization {other.pk} is missing; the instance chain expected it" in page


def test_the_sealer_logs_an_error_when_the_end_of_the_chain_was_cut(two_organizations, tamper, caplog):
    organization, _ = two_organizations
    cut_the_tail(tamper, organization.pk)
    projects.create_project(organization, "After the cut")

    with caplog.at_level("ERROR", logger="anneal.audit"):
        sealing.seal()
    assert "do not match the newest signed instance head" in caplog.text


def test_the_sealer_logs_nothing_when_the_chain_is_whole(two_organizations, caplog):
    organization, _ = two_organizations
    projects.create_project(organization, "One more")

    with caplog.at_level("ERROR", logger="anneal.audit"):
        sealing.seal()
    assert "instance head" not in caplog.text


def test_removing_every_instance_head_is_detected(two_organizations, tamper):
    organization, _ = two_organizations
    tamper("DELETE FROM anneal_audit_auditinstancehead")
    tamper("UPDATE anneal_audit_auditsealstate SET head_sequence = 0")

    problem = problem_of(organization.pk)
    assert problem.kind == "instance"
    assert "No instance head exists" in problem.message


def test_an_altered_instance_head_in_the_middle_is_found_when_every_organization_is_verified(
        two_organizations, tamper):
    tamper("UPDATE anneal_audit_auditinstancehead SET sealed_through = sealed_through - 1 WHERE sequence = 2")

    reports = verify.verify_all()
    assert reports and all(not report.intact for report in reports)
    assert "Instance head 2 was altered: the head after it names another hash." in reports[0].problem.message
