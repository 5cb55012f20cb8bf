"""A propagating hook over its time budget is logged with its plugin, counted and shown."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from io import StringIO
from typing import Any, Iterator

import pytest
from django.core.management import call_command

from conftest import ROOT, child_environment
from core.plugins import Refusal, budget, hookimpl, hooks

pytestmark = pytest.mark.django_db

SLEEP_SECONDS = 0.12


@pytest.fixture
def small_budget() -> Iterator[float]:
    previous = budget.budget_ms()
    budget.set_budget_ms(40)
    budget.forget()
    yield 40
    budget.set_budget_ms(previous)
    budget.forget()


class SleepyPolicy:
    """Decides sign-ins correctly, slowly."""

    @hookimpl
    def anneal_authentication_policy(self, user: Any, method: str) -> Refusal | None:
        time.sleep(SLEEP_SECONDS)
        return Refusal("Sleepy says no.") if user.email.startswith("refused") else None


class QuickPolicy:
    @hookimpl
    def anneal_authentication_policy(self) -> None:
        return None


def test_a_slow_authentication_policy_is_logged_with_its_plugin_and_counted(
        anneal_plugin, small_budget, web_client_for, make_user, caplog):
    anneal_plugin(SleepyPolicy(), name="sleepy")
    anneal_plugin(QuickPolicy(), name="quick")
    client = web_client_for(make_user())
    with caplog.at_level(logging.WARNING, logger="anneal.plugins"):
        assert client.get("/").status_code == 200  # the session policy runs per request
        client.get("/")
    warnings = [r.getMessage() for r in caplog.records if r.name == "anneal.plugins"]
    assert len(warnings) == 1, warnings  # then one line a minute, not one per request
    assert "Plugin sleepy took" in warnings[0] and "anneal_authentication_policy" in warnings[0]
    assert "40 ms budget" in warnings[0]
    record = {(s.plugin, s.hook): s for s in budget.in_this_process()}
    slow = record[("sleepy", "anneal_authentication_policy")]
    assert slow.count == 2
    assert slow.slowest_ms >= SLEEP_SECONDS * 1000
    assert ("quick", "anneal_authentication_policy") not in record


def test_a_slow_policy_still_decides(anneal_plugin, small_budget, make_user, rf):
    anneal_plugin(SleepyPolicy(), name="sleepy")
    refusal = hooks.authentication_policy(make_user("refused@example.com"), "password", rf.get("/"))
    assert refusal is not None and refusal.reason == "Sleepy says no."
    assert budget.in_this_process()[0].plugin == "sleepy"


def test_the_system_page_shows_the_slow_plugin_hook_count_and_slowest_call(
        anneal_plugin, small_budget, web_client_for, make_user):
    anneal_plugin(SleepyPolicy(), name="sleepy")
    staff = web_client_for(make_user(is_staff=True))
    staff.get("/")
    page = staff.get("/system/").content.decode()
    row = page.split('data-slow-hook="sleepy:anneal_authentication_policy">', 1)[1].split("</tr>", 1)[0]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in row.split("<td")[1:]]
    assert cells[1] == "anneal_authentication_policy"
    assert int(cells[2]) >= 2  # the page view itself ran the policy too
    assert int(cells[3].removesuffix(" ms")) >= SLEEP_SECONDS * 1000


def test_the_system_page_says_so_when_no_hook_was_slow(small_budget, web_client_for, make_user):
    page = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    assert "No hook call went over the budget." in page


def test_anneal_plugins_shows_the_slow_hook_under_its_plugin(anneal_plugin, small_budget, make_user, rf):
    anneal_plugin(SleepyPolicy(), name="sleepy")
    anneal_plugin(QuickPolicy(), name="quick")
    hooks.authentication_policy(make_user(), "token", rf.get("/"))
    out = StringIO()
    call_command("plugins", stdout=out)
    sleepy = out.getvalue().split("sleepy  -  loaded", 1)[1].split("\n\n", 1)[0]
    assert "slow: anneal_authentication_policy over the 40 ms budget 1 time, slowest" in sleepy
    quick = out.getvalue().split("quick  -  loaded", 1)[1].split("\n\n", 1)[0].split("sleepy", 1)[0]
    assert "slow:" not in quick


def test_a_fast_hook_is_not_recorded(anneal_plugin, make_user, rf):
    budget.forget()
    anneal_plugin(QuickPolicy(), name="quick")
    hooks.authentication_policy(make_user(), "token", rf.get("/"))
    assert budget.in_this_process() == []


@pytest.mark.services
def test_a_slow_call_in_another_process_is_seen_here_through_the_shared_cache(small_budget):
    code = (
        "import time, django; django.setup()\n"
        "from core.plugins import hookimpl, hooks\n"
        "from core.plugins.manager import register_plugin\n"
        "class Sleepy:\n"
        "    @hookimpl\n"
        "    def anneal_feature_enabled(self, name):\n"
        "        time.sleep(0.1)\n"
        "register_plugin(Sleepy(), 'sleepy-elsewhere')\n"
        "hooks.feature_enabled('anything', None)\n"
    )
    env = child_environment(DJANGO_SETTINGS_MODULE="core.settings", ANNEAL_HOOK_BUDGET_MS="20")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Plugin sleepy-elsewhere took" in result.stderr
    try:
        seen = budget.shared(["sleepy-elsewhere"], ["anneal_feature_enabled"])
        assert [(s.plugin, s.hook, s.count) for s in seen] == [("sleepy-elsewhere", "anneal_feature_enabled", 1)]
        assert seen[0].slowest_ms >= 100
    finally:
        from django.core.cache import cache

        cache.delete_many([f"anneal:slow-hook:sleepy-elsewhere:anneal_feature_enabled:{f}"
                           for f in ("count", "detail", "last")])


def test_timed_calls_keep_pluggys_contract_first_answer_wins_and_optional_arguments_arrive(
        anneal_plugin, make_user, make_organization):
    calls = []

    class First:
        @hookimpl
        def anneal_organization_role(self, user, organization=None):
            calls.append(("first", organization is not None))
            return "viewer"

    class Second:
        @hookimpl
        def anneal_organization_role(self):
            calls.append(("second", True))
            return "owner"

    anneal_plugin(First(), name="first")
    anneal_plugin(Second(), name="second")  # registered last, so pluggy calls it first
    assert hooks.organization_role(make_user(), make_organization()) == "owner"
    assert calls == [("second", True)]
    calls.clear()
    from core.plugins.manager import unregister_plugin

    unregister_plugin("second")
    assert hooks.organization_role(make_user(), make_organization()) == "viewer"
    assert calls == [("first", True)]


def test_anneal_plugins_json_lists_slow_hooks(anneal_plugin, small_budget, make_user, rf):
    import json

    anneal_plugin(SleepyPolicy(), name="sleepy")
    hooks.authentication_policy(make_user(), "token", rf.get("/"))
    out = StringIO()
    call_command("plugins", json=True, stdout=out)
    row = next(r for r in json.loads(out.getvalue()) if r["name"] == "sleepy")
    assert [(s["hook"], s["count"]) for s in row["slow_hooks"]] == [("anneal_authentication_policy", 1)]
    assert row["slow_hooks"][0]["slowest_ms"] >= SLEEP_SECONDS * 1000
