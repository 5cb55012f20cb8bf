"""Building bundles: the collector registry, failures and time-outs, age encryption, expiry, events."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from datetime import timedelta

import pyrage
import pytest
from django.utils import timezone

from anneal_enterprise.support import bundles, collectors
from anneal_enterprise.support.models import SupportBundle
from core.plugins import DiagnosticCollector
from core.services.errors import ServiceError


def _zip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_registry_lists_core_enterprise_and_plugin_collectors_with_their_defaults(db, collector_plugin):
    collector_plugin(DiagnosticCollector("thing", "A plugin's thing.", lambda: {}, default=False),
                     DiagnosticCollector("versions", "Same id as the core's.", lambda: {}))
    found = collectors.registry()
    for core_id in ("versions", "plugins", "configuration", "environment", "health", "counts", "table_sizes"):
        assert found[core_id].default and found[core_id].plugin == "core.builtin.diagnostics"
    assert found["recent_logs"].default is False
    assert found["license"].plugin == "enterprise"
    assert not [key for key in found if key.endswith(".license")]  # one license collector, not two
    assert found["thing"].default is False
    assert found["test-collectors.versions"].description == "Same id as the core's."
    assert "thing" not in collectors.default_ids()


def test_a_default_bundle_holds_a_manifest_and_a_file_per_default_collector(build, support_licensed):
    bundle = build()
    files = _zip(bytes(bundle.archive))
    assert set(files) == {"manifest.json"} | {f"{i}.json" for i in collectors.default_ids()}
    manifest = json.loads(files["manifest.json"])
    assert manifest["collectors"] == collectors.default_ids() and manifest["warnings"] == 0
    assert json.loads(files["counts.json"])["users"] >= 0
    tables = {row["table"] for row in json.loads(files["table_sizes.json"])}
    assert {"core_user", "core_organization"} <= tables
    assert set(json.loads(files["license.json"])["features"]) == {"sso", "audit_log", "support"}


def test_a_failing_or_hanging_collector_goes_to_warnings_and_the_bundle_is_still_built(
        build, collector_plugin, settings):
    settings.ANNEAL_SUPPORT_COLLECTOR_TIMEOUT = 0.5
    release = threading.Event()

    def broken() -> dict:
        raise RuntimeError("disk on fire")

    collector_plugin(
        DiagnosticCollector("broken", "Raises.", broken),
        DiagnosticCollector("slow", "Hangs.", lambda: release.wait(30) and {}),
        DiagnosticCollector("weird", "Not JSON.", lambda: {"x": object.__new__(type("Odd", (), {}))}),
    )
    try:
        bundle = build(["counts", "broken", "slow", "weird"])
    finally:
        release.set()
    assert bundle.status == "ready"
    files = _zip(bytes(bundle.archive))
    assert "counts.json" in files and "broken.json" not in files and "slow.json" not in files
    warnings = files["warnings.txt"]
    assert "broken (test-collectors): failed with RuntimeError: disk on fire" in warnings
    assert "slow (test-collectors): did not finish within 0.5 seconds" in warnings
    assert json.loads(files["manifest.json"])["warnings"] == 2 + ("weird" in warnings)


def test_an_encrypted_bundle_opens_only_with_the_vendors_age_key(build):
    vendor = pyrage.x25519.Identity.generate()
    bundle = build(["versions", "counts"], [str(vendor.to_public())])
    data = bytes(bundle.archive)
    assert data.startswith(b"age-encryption.org/v1") and bundle.filename.endswith(".zip.age")
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(data))
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(data, [pyrage.x25519.Identity.generate()])
    files = _zip(pyrage.decrypt(data, [vendor]))
    assert set(files) == {"manifest.json", "versions.json", "counts.json"}
    assert files == bundle.files  # the preview shows exactly what was encrypted


@pytest.mark.parametrize("recipient", ["age1notakey", "ssh-rsa AAAA", "age1" + "q" * 58, "-----BEGIN"])
def test_a_malformed_age_recipient_is_refused_with_a_message(db, recipient):
    with pytest.raises(ServiceError, match="not an age public key"):
        bundles.create_bundle(None, ["versions"], [recipient], enqueue=False)


def test_unknown_or_no_collectors_are_refused(db):
    with pytest.raises(ServiceError, match="Unknown collector.*nope"):
        bundles.create_bundle(None, ["versions", "nope"], enqueue=False)
    with pytest.raises(ServiceError, match="at least one"):
        bundles.create_bundle(None, [], enqueue=False)


def test_creating_downloading_and_expiring_a_bundle_are_events(build, captured_events):
    bundle = build(["versions"])
    bundles.record_download(bundle)
    SupportBundle.objects.filter(pk=bundle.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bundles.delete_expired() == 1
    assert not SupportBundle.objects.filter(pk=bundle.pk).exists()
    types = [e.type for e in captured_events]
    assert types == ["support.bundle_created", "support.bundle_downloaded", "support.bundle_deleted"]
    assert captured_events[2].data == {"reason": "expired"}


def test_a_bundle_that_is_not_ready_cannot_be_downloaded(db):
    bundle = bundles.create_bundle(None, ["versions"], enqueue=False)
    with pytest.raises(ServiceError, match="not ready"):
        bundles.record_download(bundle)


def test_without_the_support_feature_the_bundle_page_shows_the_upgrade_slot(db, staff_user):
    from django.test import Client

    client = Client()
    client.force_login(staff_user)
    page = client.get("/plugins/enterprise/support/bundles/").content.decode()
    assert "feature-unavailable" in page or "upgrade" in page.lower()
    assert 'id="new-bundle"' not in page
    client.post("/plugins/enterprise/support/bundles/", {"collectors": ["versions"]})
    assert not SupportBundle.objects.exists()
    system = client.get("/system/").content.decode()
    assert 'id="build-support-bundle"' in system  # the free health page links to bundles


def test_the_form_encrypts_to_the_configured_vendor_keys_and_refuses_a_bad_extra_key(
        db, staff_user, support_licensed, settings):
    from django.test import Client

    vendor = str(pyrage.x25519.Identity.generate().to_public())
    settings.ANNEAL_SUPPORT_AGE_RECIPIENTS = vendor
    client = Client()
    client.force_login(staff_user)
    page = client.get("/plugins/enterprise/support/bundles/").content.decode()
    assert "Encrypt to the vendor" in page and 'id="new-bundle"' in page
    client.post("/plugins/enterprise/support/bundles/", {"collectors": ["versions"], "encrypt": "1"})
    assert SupportBundle.objects.get().recipients == [vendor]
    response = client.post("/plugins/enterprise/support/bundles/",
                           {"collectors": ["versions"], "recipients": "age1bogus"}, follow=True)
    assert "not an age public key" in response.content.decode() and SupportBundle.objects.count() == 1
