"""/healthz and /readyz, and health checks contributed by plugins."""

import pytest

from core.plugins import HealthCheck, HealthCheckResult, hookimpl

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_readyz_reports_each_critical_check(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert {"database", "migrations", "cache", "broker"} <= set(body["checks"])


def test_readyz_names_what_failed_with_503(client, anneal_plugin):
    class Disk:
        @hookimpl
        def anneal_health_checks(self):
            return [HealthCheck("disk", "Disk has room.", lambda: HealthCheckResult(False, "disk full"))]

    anneal_plugin(Disk())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["disk"]
    assert response.json()["checks"]["disk"]["message"] == "disk full"


def test_a_check_that_raises_counts_as_failed_not_as_a_crash(client, anneal_plugin):
    def explode():
        raise ConnectionError("redis unreachable")

    class Flaky:
        @hookimpl
        def anneal_health_checks(self):
            return [HealthCheck("flaky", "Raises.", explode)]

    anneal_plugin(Flaky())
    body = client.get("/readyz").json()
    assert body["failed"] == ["flaky"]
    assert "redis unreachable" in body["checks"]["flaky"]["message"]


def test_a_non_critical_check_does_not_decide_readiness(client, anneal_plugin):
    class Optional:
        @hookimpl
        def anneal_health_checks(self):
            return [HealthCheck("optional", "Nice to have.", lambda: HealthCheckResult(False, "off"), critical=False)]

    anneal_plugin(Optional())
    assert client.get("/readyz").status_code == 200


def test_doctor_exits_non_zero_and_says_what_to_do_when_a_critical_check_fails(anneal_plugin, capsys):
    from django.core.management import CommandError, call_command

    class Down:
        @hookimpl
        def anneal_health_checks(self):
            return [HealthCheck("db2", "Second database.", lambda: HealthCheckResult(False, "refused", "Start it."))]

    anneal_plugin(Down())
    with pytest.raises(CommandError, match=r"^1 critical check failed\.$"):
        call_command("doctor")
    assert "-> Start it." in capsys.readouterr().out
