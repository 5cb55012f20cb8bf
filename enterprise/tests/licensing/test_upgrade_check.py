"""Before an upgrade, the license in force must be signed with a key the new version still ships."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from anneal_enterprise.licensing import keyring, services, upgrade
from anneal_enterprise.licensing.testing import TestSigner
from core.plugins import UpgradeTarget
from core.plugins import hooks

pytestmark = pytest.mark.django_db

SHIPPED = Path(keyring.__file__).with_name("keys")


def new_version(tmp_path: Path, *, drop: str | None = None) -> UpgradeTarget:
    """The new version's enterprise package as an upgrade check finds it: its shipped key manifest."""
    package = tmp_path / "anneal_enterprise"
    keys = package / "licensing" / "keys"
    shutil.copytree(SHIPPED, keys)
    manifest = json.loads((keys / "keys.json").read_text())
    manifest.pop(drop, None)
    (keys / "keys.json").write_text(json.dumps(manifest))
    return UpgradeTarget("0.2.0", {"anneal-enterprise": "0.2.0"}, {"anneal_enterprise": str(package)})


@pytest.fixture
def shipped_signer(monkeypatch: pytest.MonkeyPatch) -> TestSigner:
    """A signer whose key this installation ships as ``anneal-production-2026``, as the vendor's does."""
    signer = TestSigner("anneal-production-2026")
    public = keyring.PublicKey("anneal-production-2026", "production", signer.private_key.public_key(), shipped=True)
    real = keyring.shipped_keys()
    monkeypatch.setattr(keyring, "shipped_keys", lambda: {**real, "anneal-production-2026": public})
    return signer


def test_a_license_signed_with_a_key_the_new_version_dropped_blocks_the_upgrade(tmp_path, shipped_signer):
    services.install(shipped_signer.issue(license_id="lic_upgrade"), source="cli")
    (finding,) = upgrade.check(new_version(tmp_path, drop="anneal-production-2026"))
    assert finding.level == "blocker"
    assert finding.message.startswith("The license lic_upgrade (the installed license) is signed with "
                                      "anneal-production-2026, which Anneal 0.2.0 no longer knows (it knows anneal-test-2026)")
    assert "run as the free edition" in finding.message


def test_a_license_whose_key_the_new_version_ships_is_fine(tmp_path, shipped_signer):
    services.install(shipped_signer.issue(license_id="lic_upgrade"), source="cli")
    (finding,) = upgrade.check(new_version(tmp_path))
    assert finding.level == "ok" and "which Anneal 0.2.0 knows" in finding.message


def test_the_license_from_the_environment_is_the_one_checked(tmp_path, shipped_signer, monkeypatch):
    monkeypatch.setenv("ANNEAL_LICENSE_KEY", shipped_signer.issue(license_id="lic_env"))
    (finding,) = hooks_findings(new_version(tmp_path, drop="anneal-production-2026"))
    assert finding.level == "blocker" and "lic_env (ANNEAL_LICENSE_KEY)" in finding.message


def test_a_test_key_license_stays_valid_only_with_its_setting(tmp_path, signer):
    services.install(signer.issue(), source="cli")
    (finding,) = upgrade.check(new_version(tmp_path))
    assert finding.level == "warning" and "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS" in finding.message


def test_without_a_license_there_is_nothing_to_carry_over(tmp_path):
    (finding,) = upgrade.check(new_version(tmp_path))
    assert finding.level == "ok" and "No license is in force" in finding.message


def test_a_new_version_without_the_enterprise_package_warns_that_features_switch_off(tmp_path, shipped_signer):
    services.install(shipped_signer.issue(), source="cli")
    (finding,) = upgrade.check(UpgradeTarget("0.2.0", {}, {}, (str(tmp_path),)))
    assert finding.level == "warning" and "has no enterprise package" in finding.message


def hooks_findings(target: UpgradeTarget) -> list[Any]:
    return [f for f in hooks.upgrade_checks(target) if f.topic == upgrade.TOPIC]
