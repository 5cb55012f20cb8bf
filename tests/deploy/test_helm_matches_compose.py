"""The Helm chart keeps the promises the compose test proves on real containers.

Kubernetes cannot run here, so the chart is rendered (helm-python-sdk) with the compose test's
settings (tests/deploy/compose_stack.py) and checked, promise by promise, against the compose
file rendered by `docker-compose config` with the same `.env`: the image's non-root user, a
read-only root filesystem with writable data and /tmp, the health probes the image's check
uses, exactly one beat, migrations before any other process, and the license file mount.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .compose_stack import COMPOSE, HOST, LICENSE_FILE, STACK_SETTINGS, Ports, prepare
from .conftest import DEPLOY

helm = pytest.importorskip("helm_python", reason="helm-python-sdk is a test dependency (`./dev test`)")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

PROCESSES = ("web", "worker", "beat")
IMAGE_UID = int(re.search(r"(?m)^ARG ANNEAL_UID=(\d+)$", (DEPLOY / "docker" / "Dockerfile").read_text()).group(1))
VALUES = {
    "image": {"repository": "anneal", "tag": "deploy-test"},
    "anneal": {"baseUrl": STACK_SETTINGS["ANNEAL_BASE_URL"], "allowedHosts": HOST},
    "web": {"gunicornWorkers": int(STACK_SETTINGS["ANNEAL_WEB_WORKERS"])},
    "worker": {"concurrency": int(STACK_SETTINGS["ANNEAL_WORKER_CONCURRENCY"])},
    "secrets": {"secretKey": "k" * 50},
    "postgresql": {"url": "postgres://anneal:pw@127.0.0.1:55432/anneal"},
    "redis": {"url": "redis://127.0.0.1:56379/0"},
    "licenseFile": {"existingSecret": "anneal-license"},
}


@pytest.fixture(scope="module")
def chart() -> dict[str, dict[str, Any]]:
    """Rendered manifests by "Kind/name", each validated strictly against the Kubernetes schemas."""
    rendered = helm.Chart.load(DEPLOY / "helm" / "anneal").render(
        VALUES, name="anneal", namespace="anneal", is_install=True, is_upgrade=False,
    )
    documents = {}
    for path, text in rendered.items():
        if path.endswith(".yaml"):
            for document in yaml.safe_load_all(text):
                if document:
                    kubernetes_validate.validate(document, kubernetes_validate.utils.latest_version(), strict=True)
                    documents[f"{document['kind']}/{document['metadata']['name']}"] = document
    return documents


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real compose file's configuration with the compose test's `.env` (no test override)."""
    directory = prepare(DEPLOY / "compose", tmp_path_factory.mktemp("parity") / "compose", Ports(),
                        {"ANNEAL_LICENSE_FILE": LICENSE_FILE, "ANNEAL_IMAGE": "anneal:deploy-test"})
    result = subprocess.run(
        [COMPOSE, "--project-directory", str(directory), "-f", str(directory / "docker-compose.yml"), "config"],
        capture_output=True, text=True, cwd=directory, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def pods(chart: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The pod spec of each Anneal process: web, worker, beat and the migrate Job."""
    specs = {name: chart[f"Deployment/anneal-{name}"]["spec"]["template"]["spec"] for name in PROCESSES}
    specs["migrate"] = chart["Job/anneal-migrate"]["spec"]["template"]["spec"]
    return specs


def mounts(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["mountPath"]: m for m in container.get("volumeMounts", [])}


def compose_volumes(service: dict[str, Any]) -> dict[str, bool]:
    """Target path -> read-only, from `docker-compose config`'s "source:target:mode" strings."""
    targets = {}
    for volume in service["volumes"]:
        _, target, *mode = volume.split(":")
        targets[target] = mode == ["ro"]
    return targets


def env(container: dict[str, Any]) -> dict[str, str | None]:
    return {e["name"]: e.get("value") for e in container["env"]}


def test_every_process_runs_the_same_image_as_its_non_root_user(chart: dict, compose: dict) -> None:
    for name, pod in pods(chart).items():
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == IMAGE_UID, name
        assert pod["containers"][0]["image"] == compose[name]["image"] == "anneal:deploy-test"
        assert "user" not in compose[name], f"compose's {name} should keep the image's user"


def test_the_root_filesystem_is_read_only_with_writable_data_and_tmp(chart: dict, compose: dict) -> None:
    for name, pod in pods(chart).items():
        container = pod["containers"][0]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert {"/var/lib/anneal", "/tmp"} <= set(mounts(container)), name
        assert not mounts(container)["/var/lib/anneal"].get("readOnly"), name
        assert compose[name]["read_only"] is True, name
        assert "/tmp" in compose[name]["tmpfs"], name
        assert compose_volumes(compose[name])["/var/lib/anneal"] is False, name


def test_web_and_worker_are_probed_as_the_compose_healthchecks_check_them(chart: dict, compose: dict) -> None:
    healthcheck = (DEPLOY / "docker" / "healthcheck.py").read_text()
    assert "/healthz" in healthcheck and '"localhost"' in healthcheck
    assert compose["web"]["healthcheck"]["test"] == ["CMD", "python", "/usr/local/bin/anneal-healthcheck"]
    web = pods(chart)["web"]["containers"][0]
    for probe in ("startupProbe", "livenessProbe"):
        assert web[probe]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert web[probe]["httpGet"]["httpHeaders"] == [{"name": "Host", "value": "localhost"}]
    assert "localhost" in env(web)["ANNEAL_ALLOWED_HOSTS"].split(",")
    assert "localhost" in compose["web"]["environment"]["ANNEAL_ALLOWED_HOSTS"].split(",")
    worker = pods(chart)["worker"]["containers"][0]
    assert "celery -A core.jobs inspect ping --destination celery@$HOSTNAME" in worker["livenessProbe"]["exec"]["command"][-1]
    # `$$` in a compose file is a literal `$` for the container's shell.
    assert "celery -A core.jobs inspect ping --destination celery@$$HOSTNAME" in compose["worker"]["healthcheck"]["test"][-1]


def test_exactly_one_beat_even_during_a_rollout(chart: dict, compose: dict) -> None:
    beat = chart["Deployment/anneal-beat"]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"] == {"type": "Recreate"}  # the old beat stops before the new one starts
    assert "HorizontalPodAutoscaler/anneal-beat" not in chart
    assert "deploy" not in compose["beat"] and "scale" not in compose["beat"]


def test_migrations_run_before_any_other_process_starts(chart: dict, compose: dict) -> None:
    job = chart["Job/anneal-migrate"]
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(chart["Secret/anneal-secrets"]["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"] == compose["migrate"]["command"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for name in PROCESSES:
        assert "helm.sh/hook" not in (chart[f"Deployment/anneal-{name}"]["metadata"].get("annotations") or {})
        assert compose[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_the_license_file_is_mounted_read_only_at_the_documented_path(chart: dict, compose: dict) -> None:
    folder = str(Path(LICENSE_FILE).parent)
    for name, pod in pods(chart).items():
        container = pod["containers"][0]
        assert mounts(container)[folder]["readOnly"] is True, name
        assert env(container)["ANNEAL_LICENSE_FILE"] == LICENSE_FILE, name
        assert compose[name]["environment"]["ANNEAL_LICENSE_FILE"] == LICENSE_FILE
        assert compose_volumes(compose[name])[folder] is True, name


def test_both_run_in_production_mode_at_the_same_base_url(chart: dict, compose: dict) -> None:
    for name, pod in pods(chart).items():
        values = env(pod["containers"][0])
        assert values["ANNEAL_BASE_URL"] == compose[name]["environment"]["ANNEAL_BASE_URL"] == f"https://{HOST}"
        assert values["ANNEAL_PRODUCTION"] in ("true", "1")
        assert compose[name]["environment"]["ANNEAL_PRODUCTION"] == "true"
