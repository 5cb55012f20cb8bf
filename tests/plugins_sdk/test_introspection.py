"""``anneal plugins``, the System page and ``ANNEAL_TRACE_HOOKS`` show what plugins do."""

from __future__ import annotations

import json
import logging
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from core.plugins import NavItem, hookimpl, hooks
from core.plugins.calling import set_tracing, tracing_enabled

pytestmark = pytest.mark.django_db


class Navigation:
    @hookimpl
    def anneal_navigation(self) -> list[NavItem]:
        return [NavItem("Listed", "/listed/")]


def test_anneal_plugins_shows_each_plugins_version_range_status_and_hooks(anneal_plugin):
    anneal_plugin(Navigation(), name="listed", requires=">=0.1,<0.2")
    out = StringIO()
    call_command("plugins", stdout=out)
    text = out.getvalue()
    block = text.split("listed  -  loaded", 1)[1].split("\n\n", 1)[0]
    assert "supports anneal: >=0.1,<0.2" in block
    assert "hooks: anneal_navigation" in block
    assert "core.builtin.events (built in)" in text


def test_anneal_plugins_json_keeps_its_shape(anneal_plugin):
    anneal_plugin(Navigation(), name="listed", requires=">=0.1")
    out = StringIO()
    call_command("plugins", json=True, stdout=out)
    row = next(r for r in json.loads(out.getvalue()) if r["name"] == "listed")
    assert set(row) == {"name", "distribution", "version", "requires", "status", "builtin", "error", "hooks", "failures", "signature",
                        "slow_hooks"}
    assert row["hooks"] == ["anneal_navigation"] and row["status"] == "loaded"


def test_the_system_page_lists_plugins_with_hooks_version_range_and_status(anneal_plugin, client, make_user):
    anneal_plugin(Navigation(), name="listed", requires=">=0.1,<0.2")
    client.force_login(make_user(is_staff=True))
    page = client.get("/system/").content.decode()
    row = page.split('<tr id="plugin-listed">', 1)[1].split("</tr>", 1)[0]
    assert "&gt;=0.1,&lt;0.2" in row
    assert "loaded" in row
    assert "anneal_navigation" in row


@pytest.fixture
def tracing() -> Any:
    previous = tracing_enabled()
    set_tracing(True)
    yield
    set_tracing(previous)


def test_tracing_logs_every_isolated_hook_call_with_plugin_and_duration(anneal_plugin, tracing, caplog, rf):
    anneal_plugin(Navigation(), name="traced")
    with caplog.at_level(logging.INFO, logger="anneal.hooks"):
        hooks.navigation(rf.get("/"), None)
    lines = [r.getMessage() for r in caplog.records if r.name == "anneal.hooks"]
    assert any(line.startswith("hook anneal_navigation plugin=traced duration_ms=") for line in lines), lines


def test_tracing_logs_propagating_hook_calls_too(feature_flags, tracing, caplog):
    from core import features

    feature_flags.enable("traced_feature")
    with caplog.at_level(logging.INFO, logger="anneal.hooks"):
        assert features.has("traced_feature") is True
    assert any(r.getMessage().startswith("hook anneal_feature_enabled plugin=") and "duration_ms=" in r.getMessage()
               for r in caplog.records)


def test_without_tracing_no_hook_call_is_logged(anneal_plugin, caplog, rf):
    set_tracing(False)
    anneal_plugin(Navigation(), name="quiet")
    with caplog.at_level(logging.DEBUG, logger="anneal.hooks"):
        hooks.navigation(rf.get("/"), None)
    assert not [r for r in caplog.records if r.name == "anneal.hooks"]


def test_the_trace_environment_variable_switches_tracing_on_in_a_real_process(sandbox):
    source = "from core.plugins import hookimpl\n\n@hookimpl\ndef anneal_health_checks():\n    return []\n"
    sandbox.install("anneal-traced", {"traced": "anneal_traced"}, {"anneal_traced.py": source})
    traced = sandbox.run("doctor", ANNEAL_TRACE_HOOKS="1")
    assert "hook anneal_health_checks plugin=traced duration_ms=" in traced.stderr, traced.stderr
    assert "hook anneal_health_checks plugin=core.builtin.health duration_ms=" in traced.stderr
    quiet = sandbox.run("doctor")
    assert "duration_ms=" not in quiet.stderr
