"""The built image keeps its promises: non-root, read-only root, a healthcheck that turns healthy,
no compiler and no source tree, the license report and SBOM of what it holds, and the size
docs/benchmarks.md records.

Built on a private Docker daemon from the base made by deploy/docker/build-base.sh (see
tests/deploy/docker_engine.py). Services configuration only; skipped, with the reason, where no
Docker daemon can start.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from .compose_stack import free_port
from .conftest import REPO
from .docker_engine import ANNEAL_IMAGE, SHIPPED_REPORTS, shipped_report

pytestmark = pytest.mark.services

BENCHMARKS = REPO / "docs" / "benchmarks.md"


def image(engine: Any) -> dict[str, Any]:
    return json.loads(engine.docker("image", "inspect", ANNEAL_IMAGE).stdout)[0]


def run_in_image(engine: Any, script: str) -> Any:
    return engine.docker("run", "--rm", "--network", "none", "--read-only", "--entrypoint", "sh", ANNEAL_IMAGE,
                         "-c", script, check=False)


def test_the_image_runs_as_a_numeric_non_root_user(docker_engine: Any) -> None:
    assert image(docker_engine)["Config"]["User"] == "10001:10001"
    ids = run_in_image(docker_engine, "id -u; id -g")
    assert ids.stdout.split() == ["10001", "10001"], ids.stderr


def test_its_own_healthcheck_turns_healthy_with_a_read_only_root_and_only_the_data_volume_writable(
    docker_engine: Any,
) -> None:
    port = free_port()
    volume = f"anneal-image-test-{port}"
    healthcheck = image(docker_engine)["Config"]["Healthcheck"]
    assert healthcheck["Test"] == ["CMD", "python", "/usr/local/bin/anneal-healthcheck"]
    # The image's HEALTHCHECK command, checked every 2 s instead of 30 s; the embedded default (SQLite
    # in the data volume) needs no other service.
    container = docker_engine.docker(
        "run", "--detach", "--network", "host", "--read-only", "--tmpfs", "/tmp", "-v", f"{volume}:/var/lib/anneal",
        "-e", f"ANNEAL_PORT={port}", "--health-interval", "2s", "--health-start-period", "0s",
        ANNEAL_IMAGE, "web",
    ).stdout.strip()
    try:
        status = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and status != "healthy":
            time.sleep(2)
            status = json.loads(docker_engine.docker("inspect", container).stdout)[0]["State"]["Health"]["Status"]
        assert status == "healthy", docker_engine.docker("logs", container, check=False).stderr[-3000:]

        written = docker_engine.docker("exec", container, "sh", "-c",
                                       "echo kept > /var/lib/anneal/probe && cat /var/lib/anneal/probe", check=False)
        assert written.stdout.strip() == "kept", written.stderr
        for path in ("/usr/local/lib/probe", "/etc/anneal/probe", "/opt/anneal/static/probe"):
            denied = docker_engine.docker("exec", container, "touch", path, check=False)
            assert denied.returncode != 0 and "Read-only file system" in denied.stderr, path
    finally:
        docker_engine.docker("rm", "--force", "--volumes", container, check=False)
        docker_engine.docker("volume", "rm", volume, check=False)


def test_the_final_image_holds_no_compiler_no_headers_and_no_source_tree(docker_engine: Any) -> None:
    found = run_in_image(docker_engine, (
        "for tool in gcc cc c++ g++ clang make ld as; do command -v $tool; done;"
        "ls -d /src /usr/include/python3* 2>/dev/null;"
        "ls -A /wheels 2>/dev/null;"  # BuildKit leaves the wheels' mount point, empty
        "dpkg-query -W -f '${Package}\\n' | grep -E '^(gcc(-[0-9]+)?|g\\+\\+.*|cpp.*|binutils.*|build-essential|make|.*-dev)$';"
        "true"
    ))
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == []
    location = run_in_image(docker_engine, "python -c 'import core; print(core.__file__)'")
    assert "/dist-packages/core/" in location.stdout, location.stdout + location.stderr


def test_docs_benchmarks_records_the_size_of_the_built_image(docker_engine: Any) -> None:
    size_mb = image(docker_engine)["Size"] / 1e6
    recorded = re.search(r"(?m)^\| Image size \(`anneal` image, uncompressed\) \| (\d+) MB \|", BENCHMARKS.read_text())
    assert recorded, "docs/benchmarks.md has no image size row"
    # Within 10 %: an image that grew by more than that needs the figure (and a reason) updated.
    assert abs(size_mb - int(recorded.group(1))) <= 0.10 * int(recorded.group(1)), f"built image: {size_mb:.0f} MB"


def _comparable(sbom: dict[str, Any]) -> dict[str, Any]:
    """An SBOM without what differs between two runs on the same packages (its serial number and time)."""
    document = {key: value for key, value in sbom.items() if key != "serialNumber"}
    document["metadata"] = {key: value for key, value in sbom["metadata"].items() if key != "timestamp"}
    return document


def test_the_image_ships_the_sbom_and_license_report_of_exactly_what_is_installed_in_it(docker_engine: Any) -> None:
    now = run_in_image(docker_engine, "anneal release sbom; echo '<<>>'; anneal release licenses --json")
    assert now.returncode == 0, now.stderr[-3000:]
    sbom_now, licenses_now = now.stdout.split("<<>>\n")
    shipped_sbom = json.loads(shipped_report(docker_engine, "sbom.cdx.json"))
    assert _comparable(shipped_sbom) == _comparable(json.loads(sbom_now))
    assert json.loads(shipped_report(docker_engine, "licenses.json")) == json.loads(licenses_now)
    assert "No vulnerability database is consulted" in shipped_report(docker_engine, "licenses.txt")
    validator = pytest.importorskip("cyclonedx.validation.json")
    schema = pytest.importorskip("cyclonedx.schema")
    assert validator.JsonStrictValidator(schema.SchemaVersion.V1_6).validate_str(json.dumps(shipped_sbom)) is None
    components = {c["name"] for c in shipped_sbom["components"]}
    assert {"Django", "celery", "psycopg", "gunicorn", "anneal-enterprise", "anneal-webhooks"} <= components
    assert run_in_image(docker_engine, "ls /usr/share/doc/anneal").stdout.split() == sorted(SHIPPED_REPORTS)


def test_nothing_the_image_ships_has_a_license_incompatible_with_apache_2(docker_engine: Any) -> None:
    from core.release.licenses import LicenseEntry, problems

    entries = [LicenseEntry(**row) for row in json.loads(shipped_report(docker_engine, "licenses.json"))]
    assert problems(entries) == []
    assert [e.distribution for e in entries if e.verdict in {"copyleft", "unknown"}] == []
    checked = run_in_image(docker_engine, "anneal release licenses --check > /dev/null")
    assert checked.returncode == 0, checked.stderr[-3000:]


def test_every_debian_package_in_the_image_keeps_its_copyright_file(docker_engine: Any) -> None:
    missing = run_in_image(docker_engine, (
        "for p in $(dpkg-query -W -f '${Package}\\n'); do [ -f /usr/share/doc/$p/copyright ] || echo $p; done"
    ))
    assert missing.returncode == 0, missing.stderr
    assert missing.stdout.split() == []
    assert "postgresql-client-15" in run_in_image(docker_engine, "ls /usr/share/doc").stdout.split()

