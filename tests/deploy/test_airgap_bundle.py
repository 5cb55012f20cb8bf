"""The air-gapped bundle (deploy/airgap/build-bundle.sh): built once, verified, installed with no network.

The bundle is made from the images the private Docker daemon built (tests/deploy/docker_engine.py);
the install runs on a second, empty daemon whose every registry request goes to a closed local
port, from nothing but the bundle: `docker load`, the bundle's compose file, `up --no-build`.
The wheelhouse resolves with no index and no network, and the bundle's chart renders.

Services configuration only; skipped, with the reason, where no Docker daemon can start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from .compose_stack import Ports, Stack, prepare
from .conftest import DEPLOY
from .docker_engine import ANNEAL_IMAGE, DOCKER_CLIENT, POSTGRES_IMAGE, REDIS_IMAGE, Engine
from .test_airgapped_install import NO_NETWORK

pytestmark = pytest.mark.services

IMAGES = [ANNEAL_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE]


@pytest.fixture(scope="module")
def bundle(docker_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("bundle") / "anneal-bundle"
    docker_engine.timed("air-gapped bundle", [str(DEPLOY / "airgap" / "build-bundle.sh"), str(target), *IMAGES],
                        timeout=1200)
    return target


@pytest.fixture
def offline_engine() -> Iterator[Engine]:
    """A second daemon with an empty data root that can reach no registry."""
    engine = Engine(Path(tempfile.mkdtemp(prefix="anneal-offline-", dir="/tmp")))
    engine.start(daemon_env={k: "http://127.0.0.1:9" for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")})
    try:
        yield engine
    finally:
        engine.stop()
        shutil.rmtree(engine.root, ignore_errors=True)


def test_the_bundle_holds_everything_and_sha256sum_verifies_it(bundle: Path) -> None:
    assert {p.name for p in bundle.iterdir()} == {"INSTALL.md", "SHA256SUMS", "wheelhouse", "images", "compose", "helm"}
    assert (bundle / "images" / "IMAGES").read_text().split() == IMAGES
    assert (bundle / "compose" / "docker-compose.yml").read_bytes() == (DEPLOY / "compose" / "docker-compose.yml").read_bytes()
    assert (bundle / "helm" / "anneal" / "Chart.yaml").is_file()
    assert "sha256sum -c --quiet SHA256SUMS" in (bundle / "INSTALL.md").read_text()
    listed = {line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert listed == on_disk
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_changed_file_in_the_bundle_is_named_by_the_check(bundle: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy, ignore=shutil.ignore_patterns("anneal-images.tar", "*.whl"))
    with open(copy / "compose" / "docker-compose.yml", "a") as stream:
        stream.write("# tampered\n")
    check = subprocess.run(["sha256sum", "-c", "--quiet", "--ignore-missing", "SHA256SUMS"], cwd=copy,
                           capture_output=True, text=True)
    assert check.returncode != 0
    assert "compose/docker-compose.yml: FAILED" in check.stdout


def test_the_wheelhouse_resolves_every_package_with_no_index_and_no_network(bundle: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | NO_NETWORK
    result = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--dry-run", "--no-index", "--find-links", str(bundle / "wheelhouse"),
         "anneal", "anneal-enterprise", "anneal-webhooks", "anneal-prompts"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Would install" in result.stdout and "anneal-0.1.0" in result.stdout


def test_the_bundles_chart_renders(bundle: Path) -> None:
    helm = pytest.importorskip("helm_python")
    rendered = helm.Chart.load(bundle / "helm" / "anneal").render(
        {"secrets": {"secretKey": "s" * 50}, "postgresql": {"url": "postgres://a:b@db:5432/anneal"},
         "redis": {"url": "redis://redis:6379/0"}},
        name="anneal", namespace="anneal", is_install=True, is_upgrade=False,
    )
    assert any("kind: Job" in text for text in rendered.values())


def test_the_stack_installs_from_the_bundle_on_a_daemon_that_reaches_no_registry(
    bundle: Path, offline_engine: Engine, tmp_path: Path
) -> None:
    assert offline_engine.docker("images", "--quiet").stdout.split() == []
    offline_engine.timed("docker load", [str(DOCKER_CLIENT), "load", "-i", str(bundle / "images" / "anneal-images.tar")])
    tags = offline_engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    assert sorted(tags) == sorted(IMAGES)

    ports = Ports()
    directory = prepare(bundle / "compose", tmp_path / "compose", ports, {})
    stack = Stack(offline_engine, directory, "annealoffline", ports)
    try:
        stack.up()
        status, body = stack.browser().json("/readyz")
        assert status == 200, body
    finally:
        stack.down(volumes=True)
    assert sorted(offline_engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()) == sorted(IMAGES)
