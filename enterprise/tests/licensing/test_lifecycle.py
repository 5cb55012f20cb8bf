"""The lifecycle at each boundary, with the licensing clock set to the instant before and at it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from anneal_enterprise import entitlements
from anneal_enterprise.licensing import alerts, clock, services, status
from core import features

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 1, 1, tzinfo=timezone.utc)
EXPIRES = datetime(2027, 1, 1, tzinfo=timezone.utc)
GRACE_DAYS = 14
TICK = timedelta(seconds=1)


@pytest.fixture
def installed(signer):
    clock.set_now(STARTS)
    services.install(signer.issue(license_id="lic_life", starts_at=STARTS, expires_at=EXPIRES,
                                  grace_days=GRACE_DAYS, features=["sso", "audit_log"]), source="cli")
    return status.current()


@pytest.mark.parametrize(("moment", "stage", "sso"), [
    (STARTS, "valid", "enabled"),
    (EXPIRES - timedelta(days=30) - TICK, "valid", "enabled"),
    (EXPIRES - timedelta(days=30), "expiring", "enabled"),
    (EXPIRES - TICK, "expiring", "enabled"),
    (EXPIRES, "grace", "enabled"),
    (EXPIRES + timedelta(days=GRACE_DAYS) - TICK, "grace", "enabled"),
    (EXPIRES + timedelta(days=GRACE_DAYS), "expired", "read_only"),
    (EXPIRES + timedelta(days=400), "expired", "read_only"),
])
def test_stage_and_feature_state_at_each_boundary(installed, moment, stage, sso):
    clock.set_now(moment)
    assert status.current().stage() == stage
    assert entitlements.state("sso") == sso
    assert features.has("sso") is (sso == "enabled")


def test_feature_the_license_never_granted_stays_unavailable_after_expiry(installed):
    clock.set_now(EXPIRES + timedelta(days=GRACE_DAYS))
    assert entitlements.state("support") == "unavailable"


def test_no_license_means_free_edition(db):
    assert status.current().stage() == "unlicensed"
    assert {name: entitlements.state(name) for name in ("sso", "audit_log", "support")} == {
        "sso": "unavailable", "audit_log": "unavailable", "support": "unavailable"}


def test_expiry_is_reported_once_as_an_event(installed, captured_events):
    clock.set_now(EXPIRES + timedelta(days=GRACE_DAYS) - TICK)
    assert alerts.report_lifecycle() == []
    clock.set_now(EXPIRES + timedelta(days=GRACE_DAYS))
    assert alerts.report_lifecycle() == ["license.expired"]
    assert alerts.report_lifecycle() == []
    assert [e.type for e in captured_events] == ["license.expired"]
    assert captured_events[0].target.id == "lic_life"


def test_expiry_deletes_nothing_and_a_renewal_restores_features(installed, signer):
    from anneal_enterprise.licensing.models import LicenseKey

    clock.set_now(EXPIRES + timedelta(days=GRACE_DAYS + 1))
    alerts.report_lifecycle()
    assert LicenseKey.objects.filter(license_id="lic_life", is_active=True).exists()
    services.install(signer.issue(license_id="lic_renewed", starts_at=EXPIRES, features=["sso", "audit_log"]),
                     source="web")
    assert entitlements.state("sso") == "enabled"


def test_removing_the_license_keeps_granted_features_read_only(installed, captured_events):
    services.remove(source="cli")
    assert status.current().stage() == "unlicensed"
    assert entitlements.state("sso") == "read_only"
    assert entitlements.state("support") == "unavailable"
    assert [e.type for e in captured_events] == ["license.removed"]


def test_replacing_a_license_is_one_event_with_before_and_after(installed, signer, captured_events):
    services.install(signer.issue(license_id="lic_next", starts_at=STARTS, seats=500), source="api")
    assert [e.type for e in captured_events] == ["license.replaced"]
    assert captured_events[0].diff["license_id"] == ["lic_life", "lic_next"]
    assert entitlements.state("support") == "enabled"


def test_feature_check_does_not_verify_signatures(installed, monkeypatch):
    from anneal_enterprise.licensing import verify

    def forbidden(*args, **kwargs):
        raise AssertionError("signature verified on the hot path")

    monkeypatch.setattr(verify, "verify", forbidden)
    for _ in range(100):
        assert features.has("sso") is True


def test_installed_key_that_no_longer_verifies_switches_features_off_with_a_reason(installed, settings):
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = {}
    snapshot = status.refresh(force=True)
    assert snapshot.claims is None
    assert "which this version of Anneal does not know" in snapshot.error
    assert entitlements.state("sso") == "read_only"


def test_periodic_task_reports_expiry(installed, captured_events):
    from anneal_enterprise.licensing.tasks import check_license

    clock.set_now(EXPIRES + timedelta(days=GRACE_DAYS))
    assert check_license.apply().get() == ["license.expired"]


def test_license_summary_is_a_diagnostics_collector_without_the_key(installed):
    from core.plugins import hooks

    collectors = {collector.id: collector for _, collector in hooks.diagnostics()}
    summary = collectors["license"].collect()
    assert summary["license"]["license_id"] == "lic_life"
    assert "BEGIN ANNEAL" not in str(summary)


def test_testing_helper_licenses_a_block_for_other_areas_tests(settings):
    from anneal_enterprise.licensing.testing import licensed

    with licensed(settings, features=["support"]):
        assert entitlements.state("support") == "enabled"
        assert entitlements.state("sso") == "unavailable"
