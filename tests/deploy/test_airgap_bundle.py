"""The air-gapped bundle (deploy/airgap/build-bundle.sh): complete, verifiable, usable offline.

The bundle is made from the images the private Docker daemon built (tests/deploy/docker_engine.py).
The compose test (test_compose_stack.py) installs its stack from this bundle: images removed from
the daemon, loaded from the bundle's tarball, the bundle's compose file run, with no registry.
Here: every file is listed in SHA256SUMS and a changed one is named, the wheelhouse resolves with
no index and no network, the license report and SBOM are the image's and describe the wheelhouse,
and the bundle's chart renders.

Services configuration only; skipped, with the reason, where no Docker daemon can start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename

from core.release import licenses

from .conftest import DEPLOY
from .docker_engine import ANNEAL_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE, SHIPPED_REPORTS, shipped_report
from .test_airgapped_install import NO_NETWORK

pytestmark = pytest.mark.services

IMAGES = [ANNEAL_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE]


def test_the_bundle_holds_everything_and_sha256sum_verifies_it(airgap_bundle: Path) -> None:
    assert {p.name for p in airgap_bundle.iterdir()} == {"INSTALL.md", "SHA256SUMS", "wheelhouse", "images", "compose", "helm",
                                                         *SHIPPED_REPORTS}
    assert (airgap_bundle / "images" / "IMAGES").read_text().split() == IMAGES
    assert (airgap_bundle / "compose" / "docker-compose.yml").read_bytes() == (DEPLOY / "compose" / "docker-compose.yml").read_bytes()
    assert (airgap_bundle / "helm" / "anneal" / "Chart.yaml").is_file()
    assert "sha256sum -c --quiet SHA256SUMS" in (airgap_bundle / "INSTALL.md").read_text()
    listed = {line.split("  ", 1)[1] for line in (airgap_bundle / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(airgap_bundle).as_posix() for p in airgap_bundle.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert listed == on_disk
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=airgap_bundle, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_bundle_ships_the_license_report_and_sbom_of_its_anneal_image(docker_engine: Any, airgap_bundle: Path) -> None:
    for name in SHIPPED_REPORTS:
        assert (airgap_bundle / name).read_text() == shipped_report(docker_engine, name), name
    report = json.loads((airgap_bundle / "licenses.json").read_text())
    assert licenses.problems([licenses.LicenseEntry(**row) for row in report]) == []
    assert "licenses.txt" in (airgap_bundle / "INSTALL.md").read_text()


def test_the_bundles_sbom_describes_every_wheel_of_its_wheelhouse_at_its_version(airgap_bundle: Path) -> None:
    sbom = json.loads((airgap_bundle / "sbom.cdx.json").read_text())
    described = {canonicalize_name(c["name"]): c["version"] for c in [sbom["metadata"]["component"], *sbom["components"]]}
    wheels = {}
    for wheel in (airgap_bundle / "wheelhouse").glob("*.whl"):
        name, version, *_ = parse_wheel_filename(wheel.name)
        wheels[name] = str(version)
    # The wheelhouse adds pip and the build backend, so that the target builds nothing from source.
    installers = {"pip", "setuptools", "wheel"}
    assert {name: wheels.get(name) for name in described} == described
    assert set(wheels) - installers <= set(described)


def test_a_changed_file_in_the_bundle_is_named_by_the_check(airgap_bundle: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(airgap_bundle, copy, ignore=shutil.ignore_patterns("anneal-images.tar", "*.whl"))
    with open(copy / "compose" / "docker-compose.yml", "a") as stream:
        stream.write("# tampered\n")
    check = subprocess.run(["sha256sum", "-c", "--quiet", "--ignore-missing", "SHA256SUMS"], cwd=copy,
                           capture_output=True, text=True)
    assert check.returncode != 0
    assert "compose/docker-compose.yml: FAILED" in check.stdout


def test_the_wheelhouse_resolves_every_package_with_no_index_and_no_network(airgap_bundle: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | NO_NETWORK
    result = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--dry-run", "--no-index", "--find-links", str(airgap_bundle / "wheelhouse"),
         "anneal", "anneal-enterprise", "anneal-webhooks", "anneal-prompts"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Would install" in result.stdout and "anneal-0.1.0" in result.stdout


def test_the_bundles_chart_renders(airgap_bundle: Path) -> None:
    helm = pytest.importorskip("helm_python")
    rendered = helm.Chart.load(airgap_bundle / "helm" / "anneal").render(
        {"secrets": {"secretKey": "s" * 50}, "postgresql": {"url": "postgres://a:b@db:5432/anneal"},
         "redis": {"url": "redis://redis:6379/0"}},
        name="anneal", namespace="anneal", is_install=True, is_upgrade=False,
    )
    assert any("kind: Job" in text for text in rendered.values())


def test_the_bundle_command_refuses_a_first_image_that_is_not_the_anneal_image(docker_engine: Any, tmp_path: Path) -> None:
    result = docker_engine.run([str(DEPLOY / "airgap" / "build-bundle.sh"), str(tmp_path / "bundle"), POSTGRES_IMAGE],
                               check=False)
    assert result.returncode == 1
    assert f"Image {POSTGRES_IMAGE} holds no /usr/share/doc/anneal/licenses.json" in result.stderr
    assert not (tmp_path / "bundle").exists()


def test_the_bundle_command_refuses_an_image_the_daemon_does_not_have(docker_engine: Any, tmp_path: Path) -> None:
    result = docker_engine.run([str(DEPLOY / "airgap" / "build-bundle.sh"), str(tmp_path / "bundle"), "anneal:9.9.9"],
                               check=False)
    assert result.returncode == 1
    assert "Image anneal:9.9.9 is not on this machine; build or pull it first" in result.stderr
    assert not (tmp_path / "bundle").exists()


def test_the_release_checksum_verifier_accepts_the_bundle(airgap_bundle: Path) -> None:
    """One SHA256SUMS format for releases and bundles: core.release.checksums reads the bundle's."""
    checksums = pytest.importorskip("core.release.checksums", reason="core.release (verifiable releases) is not installed")
    verified = checksums.verify(airgap_bundle)
    assert "images/anneal-images.tar" in verified and "INSTALL.md" in verified
