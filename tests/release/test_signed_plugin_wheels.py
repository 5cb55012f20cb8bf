"""The release's plugin wheels (enterprise, webhooks, prompts) are signed with the release key."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from core.plugins import signing


def test_every_plugin_wheel_of_the_release_is_signed_by_the_release_key(built_release, tmp_path):
    trust = tmp_path / "trust"
    signing.trust(built_release.public_key.read_bytes(), "Anneal", trust)
    keys = signing.trusted_keys(trust)
    wheels = sorted(w for w in built_release.directory.glob("*.whl") if not w.name.startswith("anneal-"))
    assert [w.name.split("-")[0] for w in wheels] == ["anneal_enterprise", "anneal_prompts", "anneal_webhooks"]
    for wheel in wheels:
        site = tmp_path / wheel.name
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                                 "--disable-pip-version-check", "--target", str(site), str(wheel)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        (dist_info,) = Path(site).glob("*.dist-info")
        status = signing.check_distribution(metadata.Distribution.at(dist_info), keys)
        assert status.state == "trusted" and status.vendor == "Anneal", (wheel.name, status)
    core_wheel = next(built_release.directory.glob("anneal-*.whl"))
    assert signing.SIGNATURE_FILE not in " ".join(zipfile.ZipFile(core_wheel).namelist())
