"""An isolated hook that raises is counted per plugin and hook, and shows its plugin as degraded.

The page that called the hook still renders (tested in test_plugin_isolation); these tests prove
that the operator also sees it: ``anneal plugins``, the System page, ``GET /api/v1/plugins/`` and
``anneal doctor``, in this process and, with Redis, from another one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from typing import Any, Iterator

import pytest
from django.core.management import call_command

from conftest import ROOT, child_environment
from core.plugins import NavItem, failures, hookimpl

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_recorded_failures() -> Iterator[None]:
    failures.forget()
    yield
    failures.forget()


class BrokenNavigation:
    @hookimpl
    def anneal_navigation(self, request: Any, organization: Any) -> list[NavItem]:
        raise LookupError("the menu table is missing")


class WorkingNavigation:
    @hookimpl
    def anneal_navigation(self, request: Any, organization: Any) -> list[NavItem]:
        return [NavItem("Working", "/working/")]


@pytest.fixture
def broken_and_working(anneal_plugin: Any) -> None:
    anneal_plugin(BrokenNavigation(), name="broken-nav")
    anneal_plugin(WorkingNavigation(), name="working-nav")


@pytest.fixture
def staff_client(web_client_for: Any, make_user: Any) -> Any:
    return web_client_for(make_user(is_staff=True))


def test_a_raising_navigation_hook_is_counted_with_its_last_error(broken_and_working, staff_client):
    assert staff_client.get("/").status_code == 200
    staff_client.get("/")
    recorded = {(f.plugin, f.hook): f for f in failures.in_this_process()}
    broken = recorded[("broken-nav", "anneal_navigation")]
    assert broken.count == 2
    assert broken.last_error.startswith("LookupError: the menu table is missing (test_plugin_failures.py:")
    assert broken.recent
    assert not any(plugin == "working-nav" for plugin, _ in recorded)


def test_anneal_plugins_shows_the_failing_plugin_as_degraded_with_its_hook(broken_and_working, staff_client):
    staff_client.get("/")
    out = StringIO()
    call_command("plugins", stdout=out)
    text = out.getvalue()
    broken = text.split("broken-nav  -  degraded", 1)[1].split("working-nav", 1)[0]
    assert "failing: anneal_navigation raised 1 time, last at " in broken
    assert "LookupError: the menu table is missing" in broken
    assert "working-nav  -  loaded" in text

    out = StringIO()
    call_command("plugins", "--json", stdout=out)
    rows = {row["name"]: row for row in json.loads(out.getvalue())}
    assert rows["broken-nav"]["status"] == "degraded"
    assert [(f["hook"], f["count"]) for f in rows["broken-nav"]["failures"]] == [("anneal_navigation", 1)]
    assert rows["working-nav"]["status"] == "loaded" and rows["working-nav"]["failures"] == []


def test_the_system_page_marks_the_plugin_degraded_and_lists_the_failing_hook(broken_and_working, staff_client):
    staff_client.get("/")
    page = staff_client.get("/system/").content.decode()
    row = page.split('id="plugin-broken-nav"', 1)[1].split("</tr>", 1)[0]
    assert "degraded" in row
    failing = page.split('data-failed-hook="broken-nav:anneal_navigation">', 1)[1].split("</tr>", 1)[0]
    assert "LookupError: the menu table is missing" in failing
    assert "1 degraded" in page
    assert "working-nav" not in page.split('id="failing-hooks"', 1)[1]


def test_the_plugins_api_answers_degraded_with_the_failures(broken_and_working, staff_client, api_client_for,
                                                             make_user):
    staff_client.get("/")
    response = api_client_for(make_user(is_staff=True)).get("/api/v1/plugins/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert rows["broken-nav"]["status"] == "degraded"
    failure = rows["broken-nav"]["failures"][0]
    assert failure["hook"] == "anneal_navigation" and failure["count"] >= 1
    assert failure["last_error"].startswith("LookupError")
    assert rows["working-nav"]["status"] == "loaded"


def test_anneal_doctor_names_the_degraded_plugin_without_failing(broken_and_working, staff_client):
    staff_client.get("/")
    out = StringIO()
    call_command("doctor", stdout=out)  # advisory: no CommandError for a degraded plugin alone
    line = next(line for line in out.getvalue().splitlines() if " plugins " in line)
    assert line.startswith("FAIL") and "degraded (a hook raised in the last hour): broken-nav" in line
    assert "anneal plugins" in out.getvalue()


def test_doctor_says_every_plugin_is_fine_when_nothing_failed(anneal_plugin):
    anneal_plugin(WorkingNavigation(), name="working-nav")
    out = StringIO()
    call_command("doctor", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if " plugins " in line)
    assert line.startswith("ok") and "none failing" in line


def test_a_failure_older_than_the_window_no_longer_degrades_the_plugin(broken_and_working, staff_client,
                                                                        monkeypatch):
    staff_client.get("/")
    monkeypatch.setattr(failures, "DEGRADED_WINDOW_SECONDS", -1.0)
    out = StringIO()
    call_command("plugins", "--json", stdout=out)
    broken = next(row for row in json.loads(out.getvalue()) if row["name"] == "broken-nav")
    assert broken["status"] == "loaded"
    assert broken["failures"][0]["hook"] == "anneal_navigation"  # still listed, for the record


def test_forget_clears_the_record(broken_and_working, staff_client):
    staff_client.get("/")
    failures.forget("broken-nav")
    assert failures.overview() == []


@pytest.mark.services
def test_a_failure_in_another_process_makes_the_plugin_degraded_here():
    code = (
        "import django; django.setup()\n"
        "from core.plugins import hookimpl, hooks\n"
        "from core.plugins.manager import register_plugin\n"
        "class Broken:\n"
        "    @hookimpl\n"
        "    def anneal_health_checks(self):\n"
        "        raise RuntimeError('checks exploded elsewhere')\n"
        "register_plugin(Broken(), 'broken-elsewhere')\n"
        "hooks.health_checks()\n"
    )
    env = child_environment(DJANGO_SETTINGS_MODULE="core.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    try:
        seen = failures.overview(["broken-elsewhere"])
        assert [(f.plugin, f.hook, f.count) for f in seen] == [("broken-elsewhere", "anneal_health_checks", 1)]
        assert seen[0].last_error.startswith("RuntimeError: checks exploded elsewhere")
        assert failures.degraded(seen) == {"broken-elsewhere"}
    finally:
        failures.forget("broken-elsewhere")
