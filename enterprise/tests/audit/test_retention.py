"""Retention purges whole sealed ranges through the one permitted path; verify still passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anneal_enterprise.audit import retention, sealing, verify
from anneal_enterprise.audit.models import AuditCheckpoint, AuditPolicy, AuditRecord, AuditSeal
from core.services import projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_ranges(organization):
    """Two sealed ranges: the first one old enough to purge (seen from 40 days ahead)."""
    projects.create_project(organization, "Old")
    sealing.seal()
    first_range_end = AuditRecord.objects.latest("id").id
    return organization, first_range_end


def test_the_default_keeps_everything(two_ranges):
    assert retention.purge_expired(now=timezone.now() + timedelta(days=3650)) == []


def test_a_purge_removes_whole_sealed_ranges_and_verify_still_passes(two_ranges):
    organization, first_range_end = two_ranges
    retention.set_retention(organization, "30")
    sealing.seal()  # the retention change itself is a second range, newer
    later = timezone.now() + timedelta(days=40)
    projects.create_project(organization, "New")  # recorded "now": not past retention at `later` - 30 days

    results = retention.purge_expired(now=later)

    assert results
    assert not AuditRecord.objects.filter(organization_id=organization.pk, id__lte=results[0].through).exists()
    assert not AuditSeal.objects.filter(organization_id=organization.pk, record_id__lte=results[0].through).exists()
    assert AuditCheckpoint.objects.filter(organization_id=organization.pk, kind="purge").count() == 1
    sealing.seal()
    report = verify.verify_organization(organization.pk)
    assert report.intact, report.summary()
    assert "retention purge" in report.notes[0]


def test_ranges_with_a_record_still_inside_the_period_are_kept(two_ranges):
    organization, _ = two_ranges
    retention.set_retention(organization, "30")
    sealing.seal()

    assert retention.purge_expired(now=timezone.now() + timedelta(days=10)) == []
    assert AuditRecord.objects.filter(organization_id=organization.pk).count() >= 3


def test_unsealed_records_are_never_purged(organization):
    retention.set_retention(organization, "1")  # nothing sealed yet

    assert retention.purge_expired(now=timezone.now() + timedelta(days=400)) == []


def test_a_purge_that_hides_more_than_its_checkpoint_says_is_caught(two_ranges, tamper):
    organization, first_range_end = two_ranges
    retention.set_retention(organization, "30")
    sealing.seal()
    retention.purge_expired(now=timezone.now() + timedelta(days=40))
    sealing.seal()
    victim = AuditRecord.objects.filter(organization_id=organization.pk).order_by("id").first()
    tamper("DELETE FROM anneal_audit_auditrecord WHERE id = %s", [victim.id])

    assert verify.verify_organization(organization.pk).problem.record_id == victim.id


def test_the_purge_itself_is_recorded(two_ranges):
    organization, _ = two_ranges
    retention.set_retention(organization, "30")
    sealing.seal()
    retention.purge_expired(now=timezone.now() + timedelta(days=40))

    assert AuditRecord.objects.filter(organization_id=organization.pk, type="audit.purged").exists()


@pytest.mark.parametrize("value", ["0", "-3", "ten", "99999999"])
def test_a_bad_retention_period_is_refused(organization, value):
    with pytest.raises(retention.RetentionInvalid):
        retention.set_retention(organization, value)
    assert not AuditPolicy.objects.exists()


def test_nothing_is_purged_while_the_license_is_lapsed(two_ranges, read_only):
    organization, _ = two_ranges
    AuditPolicy.objects.create(organization_id=organization.pk, retention_days=1)

    assert retention.purge_expired(now=timezone.now() + timedelta(days=400)) == []


def test_an_export_made_after_a_purge_still_verifies_offline(two_ranges):
    import io

    from anneal_enterprise.audit import export, offline, signing
    from anneal_enterprise.audit.query import Filters

    organization, _ = two_ranges
    retention.set_retention(organization, "30")
    sealing.seal()
    retention.purge_expired(now=timezone.now() + timedelta(days=40))
    projects.create_project(organization, "After the purge")
    sealing.seal()
    out = io.StringIO()
    export.write_jsonl(organization.pk, Filters(), out)

    report = offline.verify_export(io.StringIO(out.getvalue()), offline.load_public_keys(signing.public_keys_pem()))
    assert report.intact, report.summary()
    assert report.records >= 2
