"""The Helm chart: lint-clean, renders, and every rendered manifest passes strict schema checks.

helm-python-sdk bundles Helm's Go SDK as a library (no helm binary, no cluster);
kubernetes-validate checks each manifest against the Kubernetes OpenAPI schemas, rejecting
unknown fields (strict).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from .conftest import DEPLOY

helm = pytest.importorskip("helm_python", reason="helm-python-sdk is a test dependency (`./dev test`)")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

CHART = DEPLOY / "helm" / "anneal"
REQUIRED = {
    "secrets": {"secretKey": "s" * 50},
    "postgresql": {"url": "postgres://anneal:pw@db.internal:5432/anneal"},
    "redis": {"url": "redis://redis.internal:6379/0"},
}
EVERYTHING_ON = {
    **REQUIRED,
    "ingress": {"enabled": True, "className": "nginx", "tls": [{"secretName": "anneal-tls", "hosts": ["anneal.example.com"]}]},
    "web": {"autoscaling": {"enabled": True}},
    "worker": {"autoscaling": {"enabled": True}},
    "licenseFile": {"existingSecret": "anneal-license"},
}
EXISTING_SECRET = {"secrets": {"existingSecret": "anneal-managed"}}
# The chart's kubeVersion floor and the newest schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ["1.25.0", kubernetes_validate.utils.latest_version()]


def render(values: dict[str, Any], upgrade: bool = False) -> list[dict[str, Any]]:
    chart = helm.Chart.load(CHART)
    manifests = chart.render(
        copy.deepcopy(values), name="anneal", namespace="anneal", is_install=not upgrade, is_upgrade=upgrade,
    )
    documents = []
    for path, text in manifests.items():
        if path.endswith(".yaml"):
            documents += [doc for doc in yaml.safe_load_all(text) if doc]
    return documents


def by_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


@pytest.mark.parametrize("values", [REQUIRED, EVERYTHING_ON, EXISTING_SECRET], ids=["defaults", "everything-on", "existing-secret"])
def test_helm_lint_finds_nothing_in_strict_mode(values: dict[str, Any]) -> None:
    report = helm.lint(CHART, copy.deepcopy(values), strict=True, namespace="anneal", kube_version="v1.30.0")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", [REQUIRED, EVERYTHING_ON, EXISTING_SECRET], ids=["defaults", "everything-on", "existing-secret"])
def test_every_rendered_manifest_is_valid_kubernetes_in_strict_mode(values: dict[str, Any], version: str) -> None:
    documents = render(values)
    assert documents
    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)


def test_strict_validation_rejects_a_misspelled_field() -> None:
    """The validation step is real: an unknown field in a manifest fails it."""
    deployment = by_kind(render(REQUIRED), "Deployment")["anneal-web"]
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[-1], strict=True)


def test_web_worker_and_beat_run_the_same_image_as_non_root() -> None:
    deployments = by_kind(render(REQUIRED), "Deployment")
    assert set(deployments) == {"anneal-web", "anneal-worker", "anneal-beat"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        container = pod["containers"][0]
        assert container["image"] == "anneal:0.1.0"
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["args"][0] == name.removeprefix("anneal-")
    assert deployments["anneal-beat"]["spec"]["replicas"] == 1


def test_web_pods_are_probed_on_healthz_and_readyz_with_an_allowed_host() -> None:
    web = by_kind(render(REQUIRED), "Deployment")["anneal-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    host = web["readinessProbe"]["httpGet"]["httpHeaders"][0]["value"]
    allowed = next(e["value"] for e in web["env"] if e["name"] == "ANNEAL_ALLOWED_HOSTS").split(",")
    assert host in allowed


def test_migrations_run_as_a_hook_before_install_and_upgrade_after_the_secret_exists() -> None:
    for upgrade in (False, True):
        documents = render(REQUIRED, upgrade=upgrade)
        job = by_kind(documents, "Job")["anneal-migrate"]
        secret = by_kind(documents, "Secret")["anneal-secrets"]
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        assert secret["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])


def test_secrets_are_passed_by_reference_never_inline() -> None:
    documents = render(REQUIRED)
    secret = by_kind(documents, "Secret")["anneal-secrets"]
    assert set(secret["stringData"]) == {"secret-key", "database-url", "redis-url"}
    web = by_kind(documents, "Deployment")["anneal-web"]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in web["env"]}
    for name, key in [("ANNEAL_SECRET_KEY", "secret-key"), ("DATABASE_URL", "database-url"), ("REDIS_URL", "redis-url"), ("ANNEAL_LICENSE_KEY", "license-key")]:
        assert env[name]["valueFrom"]["secretKeyRef"] == {"name": "anneal-secrets", "key": key, **({"optional": True} if key == "license-key" else {})}
    assert "postgres://" not in yaml.safe_dump(by_kind(documents, "Deployment"))


def test_an_existing_secret_replaces_the_chart_secret() -> None:
    documents = render(EXISTING_SECRET)
    assert by_kind(documents, "Secret") == {}
    web = by_kind(documents, "Deployment")["anneal-web"]["spec"]["template"]["spec"]["containers"][0]
    refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in web["env"] if "valueFrom" in e}
    assert refs == {"anneal-managed"}


def test_ingress_autoscaling_and_a_license_file_are_optional_extras() -> None:
    assert by_kind(render(REQUIRED), "Ingress") == {}
    assert by_kind(render(REQUIRED), "HorizontalPodAutoscaler") == {}
    documents = render(EVERYTHING_ON)
    assert set(by_kind(documents, "HorizontalPodAutoscaler")) == {"anneal-web", "anneal-worker"}
    web_deployment = by_kind(documents, "Deployment")["anneal-web"]
    assert "replicas" not in web_deployment["spec"]
    ingress = by_kind(documents, "Ingress")["anneal"]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "anneal"
    pod = web_deployment["spec"]["template"]["spec"]
    assert {"name": "license", "secret": {"secretName": "anneal-license"}} in pod["volumes"]
    env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
    assert env["ANNEAL_LICENSE_FILE"] == "/etc/anneal/license/license.key"


@pytest.mark.parametrize("missing", ["secrets", "postgresql", "redis"])
def test_rendering_without_a_required_secret_says_which_value_to_set(missing: str) -> None:
    values = {key: value for key, value in REQUIRED.items() if key != missing}
    with pytest.raises(helm.HelmError) as error:
        render(values)
    expected = {"secrets": "secrets.secretKey", "postgresql": "postgresql.url", "redis": "redis.url"}[missing]
    assert expected in str(error.value)


@pytest.mark.parametrize("bad, where", [
    ({"web": {"replicas": "two"}}, "replicas"),
    ({"worker": {"concurrency": 0}}, "concurrency"),
    ({"anneal": {"baseUrl": "anneal.example.com"}}, "baseUrl"),
    ({"postgresql": {"url": "mysql://db/anneal"}}, "url"),
    ({"beat": {"replicas": 2}}, "beat"),
    ({"anneal": {"extraEnv": {"lower-case": "x"}}}, "lower-case"),
], ids=["replicas-not-a-number", "zero-concurrency", "base-url-without-scheme", "not-postgres", "two-beats", "bad-env-name"])
def test_values_that_would_make_a_broken_deployment_are_refused_naming_the_value(bad: dict[str, Any], where: str) -> None:
    values = copy.deepcopy(REQUIRED)
    for key, value in bad.items():
        values[key] = {**values.get(key, {}), **value}
    with pytest.raises(helm.HelmError) as error:
        render(values)
    assert where in str(error.value)
