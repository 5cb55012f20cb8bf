"""The compose deployment, end to end: the image built here, the real compose file, real containers.

A private Docker daemon that reaches no registry (tests/deploy/docker_engine.py) builds the base
image with deploy/docker/build-base.sh, the project image from deploy/docker/Dockerfile and
PostgreSQL and Redis images from Debian packages, and the air-gapped bundle of those images
(deploy/airgap/build-bundle.sh). The stack is installed from the bundle: images removed and
loaded from its tarball, its compose file run with an override that puts every container on the
host network (tests/deploy/compose_stack.py). The admin's steps
are the documented ones: `.env` from `.env.example`, the license file in `license/`, the first
admin made with `anneal createsuperuser` in the web container.

Services configuration only; skipped, with the reason, where no Docker daemon can start.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import secrets
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from anneal_enterprise.licensing.testing import TestSigner

from .compose_stack import LICENSE_FILE, Ports, Stack, prepare
from .docker_engine import ANNEAL_IMAGE, DOCKER_CLIENT, POSTGRES_IMAGE, REDIS_IMAGE

pytestmark = pytest.mark.services

ADMIN_EMAIL = "admin@anneal.test"
ADMIN_PASSWORD = secrets.token_urlsafe(18)
SIGNER = TestSigner(key_id="compose-test")
ANNEAL_SERVICES = ("migrate", "web", "worker", "beat")
IMAGES = (ANNEAL_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE)


@pytest.fixture(scope="module")
def stack(docker_engine: Any, airgap_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack installed from the air-gapped bundle, as its INSTALL.md says, on a daemon that
    reaches no registry: the images built here removed, then loaded from the bundle's tarball."""
    docker_engine.docker("rmi", *IMAGES)
    docker_engine.timed("docker load", [str(DOCKER_CLIENT), "load", "-i", str(airgap_bundle / "images" / "anneal-images.tar")])
    ports = Ports()
    directory = prepare(airgap_bundle / "compose", tmp_path_factory.mktemp("stack") / "compose", ports, {
        "ANNEAL_LICENSE_FILE": LICENSE_FILE,
        "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS": SIGNER.extra_public_keys_json(),
    })
    license_text = SIGNER.issue(features=["sso", "audit_log", "support"], licensee="Compose Test Corp")
    (directory / "license" / "license.key").write_text(license_text)
    stack = Stack(docker_engine, directory, f"annealtest{os.getpid()}", ports)
    try:
        started = time.monotonic()
        stack.up()
        docker_engine.timings["compose up (fresh volumes)"] = time.monotonic() - started
        stack.compose("exec", "-T", "-e", f"DJANGO_SUPERUSER_PASSWORD={ADMIN_PASSWORD}", "web",
                      "anneal", "createsuperuser", "--noinput", "--email", ADMIN_EMAIL)
        yield stack
    finally:
        stack.down(volumes=True)


def signed_in(stack: Stack) -> Any:
    browser = stack.browser()
    status, headers = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert status == 302 and headers["location"] == "/", (status, headers)
    return browser


def test_every_container_runs_an_image_loaded_from_the_air_gapped_bundle(stack: Stack, airgap_bundle: Path) -> None:
    with tarfile.open(airgap_bundle / "images" / "anneal-images.tar") as saved:
        manifest = json.load(saved.extractfile("manifest.json"))
    saved_ids = {tag: "sha256:" + entry["Config"].removesuffix(".json").removeprefix("blobs/sha256/")
                 for entry in manifest for tag in entry["RepoTags"]}
    assert set(saved_ids) == set(IMAGES)
    for service, tag in [*((name, ANNEAL_IMAGE) for name in ANNEAL_SERVICES), ("postgres", POSTGRES_IMAGE), ("redis", REDIS_IMAGE)]:
        assert stack.inspect(service)["Image"] == saved_ids[tag], service


def test_migrate_runs_once_to_completion_before_web_worker_and_beat_start(stack: Stack) -> None:
    [migrate] = [stack.inspect("migrate")]
    assert migrate["State"]["Status"] == "exited" and migrate["State"]["ExitCode"] == 0
    assert migrate["RestartCount"] == 0
    assert "Applying core.0001_initial... OK" in stack.logs("migrate")
    for service in ("web", "worker", "beat"):
        container = stack.inspect(service)
        assert container["State"]["Running"], service
        assert container["State"]["StartedAt"] > migrate["State"]["FinishedAt"], service
        assert "Applying " not in stack.logs(service), f"{service} applied migrations itself"


def test_every_container_is_on_the_host_network_and_talks_to_127_0_0_1(stack: Stack) -> None:
    for service in (*ANNEAL_SERVICES, "postgres", "redis"):
        assert stack.inspect(service)["HostConfig"]["NetworkMode"] == "host", service
    assert stack.inspect("web")["Args"][-2:] == ["--bind", f"127.0.0.1:{stack.ports.web}"]
    environment = dict(item.split("=", 1) for item in stack.inspect("web")["Config"]["Env"])
    assert f"@127.0.0.1:{stack.ports.postgres}/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == f"redis://127.0.0.1:{stack.ports.redis}/0"


def test_web_turns_healthy_and_is_ready_on_the_real_services(stack: Stack) -> None:
    assert stack.inspect("web")["State"]["Health"]["Status"] == "healthy"
    status, body = stack.browser().json("/readyz")
    assert status == 200, body
    assert set(body["checks"]) >= {"database", "migrations", "cache", "broker"}


def test_the_first_admin_signs_in_through_the_web_form(stack: Stack) -> None:
    browser = signed_in(stack)
    status, me = browser.json("/api/v1/me/")
    assert status == 200, me
    assert me["email"] == ADMIN_EMAIL
    wrong = stack.browser()
    status, _ = wrong.sign_in(ADMIN_EMAIL, "not-the-password")
    assert status == 400


def test_the_license_file_mounted_as_documented_is_in_force(stack: Stack) -> None:
    status, summary = signed_in(stack).json("/api/v1/plugins/enterprise/license/")
    assert status == 200, summary
    assert summary["source"] == "file", summary
    assert summary["source_detail"] == LICENSE_FILE, summary
    assert summary["license"]["licensee"] == "Compose Test Corp"
    assert summary["features"] == {"sso": "enabled", "audit_log": "enabled", "support": "enabled"}
    mounts = {m["Destination"]: m for m in stack.inspect("web")["Mounts"]}
    assert mounts["/etc/anneal/license"]["RW"] is False


def test_a_job_sent_from_the_web_container_runs_on_the_worker(stack: Stack) -> None:
    result = stack.exec("web", "anneal", "shell", "-c", (
        "from core.jobs import app\n"
        "r = app.send_task('core.clear_expired_sessions')\n"
        "r.get(timeout=120)\n"
        "print('job', r.id, r.status)\n"
    ))
    job_id, status = re.search(r"job (\S+) (\S+)", result.stdout).groups()
    assert status == "SUCCESS"
    stack.wait_for_log("worker", rf"Task core\.clear_expired_sessions\[{re.escape(job_id)}\] succeeded")


def test_beat_schedules_periodic_jobs_that_the_worker_runs(stack: Stack) -> None:
    assert len(stack.containers("beat")) == 1
    stack.wait_for_log("beat", r"Scheduler: Sending due task audit-seal \(anneal_audit\.seal\)")
    stack.wait_for_log("worker", r"Task anneal_audit\.seal\[[^\]]+\] succeeded")


def test_anneal_containers_run_as_non_root_on_a_read_only_root_filesystem(stack: Stack) -> None:
    for service in ANNEAL_SERVICES:
        container = stack.inspect(service)
        assert container["Config"]["User"] == "10001:10001", service
        assert container["HostConfig"]["ReadonlyRootfs"] is True, service
    assert stack.exec("web", "id", "-u").stdout.strip() == "10001"
    denied = stack.exec("web", "sh", "-c", "touch /opt/anneal/probe", check=False)
    assert denied.returncode != 0 and "Read-only file system" in denied.stderr + denied.stdout
    stack.exec("web", "sh", "-c", "touch /var/lib/anneal/probe && rm /var/lib/anneal/probe")


def test_down_and_up_keep_the_data_in_the_volumes(stack: Stack) -> None:
    browser = signed_in(stack)
    status, headers = browser.submit("/", {"name": "Survives Restarts", "slug": "survives-restarts"})
    assert status == 302 and headers["location"] == "/o/survives-restarts/"

    stack.down()
    assert stack.containers("web") == []
    stack.up()

    assert "No migrations to apply." in stack.logs("migrate")
    status, listed = signed_in(stack).json("/api/v1/organizations/")
    assert status == 200, listed
    assert "survives-restarts" in {o["slug"] for o in listed["results"]}


def test_the_upgrade_check_runs_in_the_installed_stack_against_a_bundles_wheelhouse(stack: Stack, airgap_bundle: Path) -> None:
    """As docs/deploy/upgrading.md says for compose: the old image, the new bundle's wheelhouse mounted."""
    result = stack.compose("run", "--rm", "-T", "--no-deps", "-v", f"{airgap_bundle / 'wheelhouse'}:/wheelhouse:ro",
                           "migrate", "anneal", "upgrade", "check", "--wheelhouse", "/wheelhouse", check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Upgrade check: Anneal 0.1.0 -> 0.1.0 (nothing was changed)" in result.stdout
    assert "No migration will run." in result.stdout
    assert "Plugin webhooks (anneal-webhooks 0.1.0) supports Anneal >=0.1,<0.2." in result.stdout
    assert "0 blockers" in result.stdout


def test_a_backup_made_in_the_web_container_restores_into_a_fresh_stack(stack: Stack, tmp_path: Path) -> None:
    status, _ = signed_in(stack).submit("/", {"name": "Backed Up", "slug": "backed-up"})
    assert status == 302
    made = stack.exec("web", "anneal", "backup", "/var/lib/anneal/backups/compose-test.tar")
    assert "Backup written to /var/lib/anneal/backups/compose-test.tar" in made.stdout
    web = stack.containers("web")[0]
    stack.engine.docker("cp", f"{web}:/var/lib/anneal/backups/compose-test.tar", str(tmp_path / "compose-test.tar"))
    stack.down(volumes=True)  # every volume gone: a fresh stack, its database empty
    stack.compose("up", "--detach", "--no-build", "postgres", "redis")
    stack.wait_healthy("postgres")
    tables = stack.exec("postgres", "psql", "-U", "anneal", "-d", "anneal", "-Atc",
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert tables.stdout.strip() == "0"
    os.chmod(tmp_path, 0o755)
    (tmp_path / "compose-test.tar").chmod(0o644)
    stack.compose("run", "--rm", "-T", "--no-deps", "-v", f"{tmp_path}:/backup:ro", "migrate",
                  "anneal", "restore", "--noinput", "/backup/compose-test.tar")
    stack.up()

    status, listed = signed_in(stack).json("/api/v1/organizations/")
    assert status == 200, listed
    assert "backed-up" in {o["slug"] for o in listed["results"]}

