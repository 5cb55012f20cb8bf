"""Core diagnostics: health checks with hints, `anneal doctor`, the System page and the built-in collectors."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import SERVICES
from core.builtin import diagnostics, health
from core.plugins import HealthCheck, HealthCheckResult, hookimpl

pytestmark = pytest.mark.django_db


class BrokenDependency:
    @hookimpl
    def anneal_health_checks(self) -> list[HealthCheck]:
        return [HealthCheck("payments", "The payment service answers.",
                            lambda: HealthCheckResult(False, "connection refused", "Start the payment service."))]


def test_doctor_runs_every_check_and_fails_on_a_critical_one_with_its_hint(anneal_plugin, capsys):
    call_command("doctor")
    out = capsys.readouterr().out
    for check in ("database", "migrations", "cache", "redis", "broker", "workers", "queues"):
        assert check in out
    anneal_plugin(BrokenDependency())
    with pytest.raises(CommandError, match="1 critical check"):
        call_command("doctor")
    out = capsys.readouterr().out
    assert "FAIL payments" in out and "-> Start the payment service." in out


def test_the_system_page_shows_failed_checks_and_what_to_do(anneal_plugin, make_user):
    anneal_plugin(BrokenDependency())
    client = Client()
    client.force_login(make_user(is_staff=True))
    page = client.get("/system/").content.decode()
    assert re.search(r"\b\d+ checks? failed\.", page) and "check(s)" not in page  # in services mode "workers" may fail too
    assert 'data-check="payments"' in page and "Start the payment service." in page
    assert "anneal doctor" in page


def test_the_system_page_is_for_staff_only(make_user):
    client = Client()
    client.force_login(make_user())
    assert client.get("/system/").status_code == 403


def test_an_unreachable_redis_fails_with_a_hint(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    result = health.check_redis()
    assert not result.ok and "REDIS_URL" in result.hint
    assert not health.check_queues().ok


@pytest.mark.skipif(not SERVICES, reason="needs Redis")
def test_redis_and_queue_lengths_are_reported_in_services_mode():
    assert health.check_redis().ok
    result = health.check_queues()
    assert result.ok and "waiting" in result.message


def test_configuration_lists_every_setting_but_shows_only_allowlisted_values(settings):
    settings.SECRET_KEY = "planted-secret-value"
    settings.SOME_PLUGIN_API_KEY = "planted-plugin-value"
    config = diagnostics.configuration()
    assert config["SECRET_KEY"] == "[redacted]" and config["SOME_PLUGIN_API_KEY"] == "[redacted]"
    assert config["TIME_ZONE"] == "UTC"
    assert "planted" not in str(config)


def test_environment_shows_urls_without_passwords(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:planted-pw@db:5432/anneal")
    monkeypatch.setenv("ANNEAL_SECRET_KEY", "planted-secret")
    monkeypatch.setenv("ANNEAL_LOG_LEVEL", "DEBUG")
    env = diagnostics.environment()
    assert env["DATABASE_URL"] == "postgres://app:[redacted]@db:5432/anneal"
    assert env["ANNEAL_SECRET_KEY"] == "[redacted]" and env["ANNEAL_LOG_LEVEL"] == "DEBUG"


def test_table_sizes_list_the_core_tables_with_their_rows(make_user):
    make_user()
    sizes = {row["table"]: row for row in diagnostics.table_sizes()}
    assert {"core_user", "core_organization", "core_project"} <= set(sizes)
    if not SERVICES:  # PostgreSQL's row figure is an estimate updated by autovacuum
        assert sizes["core_user"]["rows_estimate"] == 1


def test_recent_logs_come_from_a_bounded_buffer():
    from core import logbuffer

    logging.getLogger("anneal.test").warning("something odd happened 12345")
    assert "something odd happened 12345" in diagnostics.recent_logs()
    assert logbuffer._buffer.maxlen == logbuffer.DEFAULT_LINES
    assert len(logbuffer.recent_lines(3)) <= 3


def test_counts_never_include_content(make_organization):
    make_organization(name="Secret Project Name")
    counts = diagnostics.counts()
    assert counts["organizations"] == 1 and all(isinstance(v, int) for v in counts.values())
