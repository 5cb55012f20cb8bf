"""A plugin on for one organization only is invisible to another on every surface the core owns.

The plugin below does nothing to check where it is on: navigation, settings tabs, template
slots, pages, API routes, in-transaction and committed events, and periodic work are each
filtered by the core for the organization the plugin is off for.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Iterator

import pytest
from celery import shared_task
from django.http import HttpResponse
from django.urls import clear_url_caches, path
from rest_framework.decorators import api_view
from rest_framework.response import Response

from core.models import Organization
from core.plugins import NavItem, PeriodicTask, SettingsSection, enablement, hookimpl
from core.services import plugin_availability, projects
from core.testing import contract

pytestmark = pytest.mark.django_db

SEEN: dict[str, list[Any]] = {"events": [], "committed": [], "periodic": []}


@shared_task(name="tests.availability.per_organization")
def per_organization_task(organization_id: int) -> None:
    SEEN["periodic"].append(organization_id)


def _page(request: Any, slug: str) -> HttpResponse:
    return HttpResponse(f"scoped page of {slug}")


@api_view(["GET"])
def _api(request: Any, organization_slug: str) -> Response:
    return Response({"organization": organization_slug})


class Scoped:
    @hookimpl
    def anneal_navigation(self, request: Any, organization: Any) -> list[NavItem]:
        return [NavItem("Scoped", "/plugins/scoped/", section="organization")] if organization else []

    @hookimpl
    def anneal_settings_sections(self, request: Any, organization: Any) -> list[SettingsSection]:
        return [SettingsSection("scoped", "Scoped settings", "/plugins/scoped/settings/")]

    @hookimpl
    def anneal_template_slot(self, slot: str, context: dict[str, Any]) -> str | None:
        return '<p id="scoped-slot">scoped slot</p>' if slot == "organization" else None

    @hookimpl
    def anneal_event(self, event: Any) -> None:
        SEEN["events"].append((event.type, event.organization_id))

    @hookimpl
    def anneal_event_committed(self, event: Any) -> None:
        SEEN["committed"].append((event.type, event.organization_id))

    @hookimpl
    def anneal_urlpatterns(self) -> list[Any]:
        return [path("o/<slug:slug>/", _page, name="page")]

    @hookimpl
    def anneal_api_urlpatterns(self) -> list[Any]:
        return [path("organizations/<slug:organization_slug>/", _api, name="thing")]

    @hookimpl
    def anneal_periodic_tasks(self) -> list[PeriodicTask]:
        return [PeriodicTask("scoped-each-organization", "tests.availability.per_organization", 60.0,
                             per_organization=True)]


@pytest.fixture
def scoped(anneal_plugin: Any) -> Iterator[None]:
    import core.urls
    from core.jobs import configure_from_plugins

    for seen in SEEN.values():
        seen.clear()
    anneal_plugin(Scoped(), name="scoped")
    importlib.reload(core.urls)
    clear_url_caches()
    configure_from_plugins()
    contract.openapi.cache_clear()  # the schema the API responses are checked against includes the plugin's route
    yield
    enablement.forget()
    contract.openapi.cache_clear()


@pytest.fixture(autouse=True)
def _restore_configuration() -> Iterator[None]:
    yield
    import core.urls
    from core.jobs import configure_from_plugins

    importlib.reload(core.urls)
    clear_url_caches()
    configure_from_plugins()
    enablement.forget()


@pytest.fixture
def two_organizations(make_user: Any, make_organization: Any) -> tuple[Any, Organization, Organization]:
    owner = make_user()
    return owner, make_organization("On", owner=owner), make_organization("Off", owner=owner)


def _only_for(on: Organization) -> None:
    plugin_availability.set_availability("scoped", "selected", organizations=[on.slug])


def test_navigation_and_settings_tabs_show_the_plugin_only_where_it_is_on(scoped, two_organizations,
                                                                           web_client_for):
    owner, on, off = two_organizations
    _only_for(on)
    client = web_client_for(owner)
    assert "Scoped" in client.get(f"/o/{on.slug}/").content.decode()
    assert ">Scoped<" not in client.get(f"/o/{off.slug}/").content.decode()
    assert "Scoped settings" in client.get(f"/o/{on.slug}/settings/").content.decode()
    assert "Scoped settings" not in client.get(f"/o/{off.slug}/settings/").content.decode()


def test_template_slots_render_the_plugin_only_where_it_is_on(scoped, two_organizations, web_client_for):
    owner, on, off = two_organizations
    _only_for(on)
    client = web_client_for(owner)
    assert 'id="scoped-slot"' in client.get(f"/o/{on.slug}/").content.decode()
    assert 'id="scoped-slot"' not in client.get(f"/o/{off.slug}/").content.decode()


def test_pages_and_api_routes_answer_404_for_the_organization_it_is_off_for(scoped, two_organizations,
                                                                             web_client_for, api_client_for):
    owner, on, off = two_organizations
    _only_for(on)
    client = web_client_for(owner)
    assert client.get(f"/plugins/scoped/o/{on.slug}/").content == f"scoped page of {on.slug}".encode()
    assert client.get(f"/plugins/scoped/o/{off.slug}/").status_code == 404
    api = api_client_for(owner)
    assert api.get(f"/api/v1/plugins/scoped/organizations/{on.slug}/").json() == {"organization": on.slug}
    response = api.get(f"/api/v1/plugins/scoped/organizations/{off.slug}/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_events_reach_the_plugin_only_for_the_organization_it_is_on_for(scoped, two_organizations,
                                                                         django_capture_on_commit_callbacks):
    _, on, off = two_organizations
    _only_for(on)
    SEEN["events"].clear()
    SEEN["committed"].clear()
    with django_capture_on_commit_callbacks(execute=True):
        projects.create_project(on, "Seen")
        projects.create_project(off, "Unseen")
    assert SEEN["events"] == [("project.created", on.pk)]
    assert SEEN["committed"] == [("project.created", on.pk)]


def test_periodic_work_runs_only_for_the_organizations_it_is_on_for(scoped, two_organizations, jobs_in_process):
    from core.jobs import app

    _, on, off = two_organizations
    entry = app.conf.beat_schedule["scoped-each-organization"]
    assert entry["task"] == "core.run_for_each_organization"
    app.tasks[entry["task"]].apply(kwargs=entry["kwargs"], throw=True)
    assert sorted(SEEN["periodic"]) == sorted(Organization.objects.values_list("pk", flat=True))  # on for all
    SEEN["periodic"].clear()
    _only_for(on)
    app.tasks[entry["task"]].apply(kwargs=entry["kwargs"], throw=True)
    assert SEEN["periodic"] == [on.pk]


def test_by_default_a_plugin_is_on_for_every_organization(scoped, two_organizations, web_client_for):
    owner, on, off = two_organizations
    client = web_client_for(owner)
    for organization in (on, off):
        assert client.get(f"/plugins/scoped/o/{organization.slug}/").status_code == 200
        assert 'id="scoped-slot"' in client.get(f"/o/{organization.slug}/").content.decode()


def test_staff_restrict_a_plugin_on_the_system_page_and_each_change_is_an_event(
        scoped, two_organizations, web_client_for, make_user, captured_events):
    owner, on, off = two_organizations
    staff = web_client_for(make_user(is_staff=True))
    assert staff.get("/system/").content.decode().count('href="/system/plugins/scoped/"') == 1
    response = staff.post("/system/plugins/scoped/", {"action": "mode", "mode": "selected"})
    assert response.status_code == 302
    assert web_client_for(owner).get(f"/plugins/scoped/o/{on.slug}/").status_code == 404  # off for all now
    staff.post("/system/plugins/scoped/", {"action": "enable", "organization": on.slug})
    assert web_client_for(owner).get(f"/plugins/scoped/o/{on.slug}/").status_code == 200
    assert web_client_for(owner).get(f"/plugins/scoped/o/{off.slug}/").status_code == 404
    page = staff.get("/system/plugins/scoped/").content.decode()
    assert f'data-organization="{on.slug}"' in page and f'data-organization="{off.slug}"' not in page
    bad = staff.post("/system/plugins/scoped/", {"action": "enable", "organization": "no-such-org"})
    assert bad.status_code == 400 and "No organization with the slug" in bad.content.decode()
    types = [e.type for e in captured_events if e.type.startswith("plugin.")]
    assert types == ["plugin.availability_changed", "plugin.enabled"]
    assert web_client_for(owner).get("/system/plugins/scoped/").status_code == 403


def test_an_owner_switches_the_plugin_only_when_staff_allow_it(scoped, two_organizations, web_client_for,
                                                                make_member, captured_events):
    owner, on, off = two_organizations
    plugin_availability.set_availability("scoped", "selected", owners_may_enable=False, organizations=[])
    client = web_client_for(owner)
    page = client.get(f"/o/{off.slug}/settings/plugins/").content.decode()
    assert "instance staff decide" in page
    assert client.post(f"/o/{off.slug}/settings/plugins/", {"plugin": "scoped", "action": "enable"}).status_code == 403
    plugin_availability.set_availability("scoped", "selected", owners_may_enable=True)
    assert client.post(f"/o/{off.slug}/settings/plugins/", {"plugin": "scoped", "action": "enable"}).status_code == 302
    assert client.get(f"/plugins/scoped/o/{off.slug}/").status_code == 200
    admin = web_client_for(make_member(off, "admin"))
    assert admin.post(f"/o/{off.slug}/settings/plugins/", {"plugin": "scoped", "action": "disable"}).status_code == 403
    assert client.post(f"/o/{off.slug}/settings/plugins/", {"plugin": "scoped", "action": "disable"}).status_code == 302
    assert client.get(f"/plugins/scoped/o/{off.slug}/").status_code == 404
    switched = [(e.type, e.organization_id) for e in captured_events if e.type in {"plugin.enabled", "plugin.disabled"}]
    assert switched == [("plugin.enabled", off.pk), ("plugin.disabled", off.pk)]


def test_the_api_sets_availability_and_owners_switch_it(scoped, two_organizations, api_client_for, make_user,
                                                        make_member):
    owner, on, off = two_organizations
    staff = api_client_for(make_user(is_staff=True))
    response = staff.put("/api/v1/system/plugins/scoped/availability/",
                         {"mode": "selected", "owners_may_enable": True, "organizations": [on.slug]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"plugin": "scoped", "mode": "selected", "owners_may_enable": True,
                               "organizations": [on.slug]}
    bad = staff.put("/api/v1/system/plugins/scoped/availability/", {"mode": "sometimes"}, format="json")
    assert bad.status_code == 400
    assert staff.get("/api/v1/system/plugins/no-such-plugin/availability/").status_code == 404
    assert api_client_for(owner).get("/api/v1/system/plugins/scoped/availability/").status_code == 403

    api = api_client_for(owner)
    rows = {r["plugin"]: r for r in api.get(f"/api/v1/organizations/{off.slug}/plugins/").json()}
    assert rows["scoped"] == {"plugin": "scoped", "enabled": False, "restricted": True, "owners_may_enable": True}
    response = api.put(f"/api/v1/organizations/{off.slug}/plugins/scoped/", {"enabled": True}, format="json")
    assert response.status_code == 200 and response.json()["enabled"] is True
    assert api.get(f"/api/v1/plugins/scoped/organizations/{off.slug}/").status_code == 200
    member = api_client_for(make_member(off, "admin"))
    assert member.put(f"/api/v1/organizations/{off.slug}/plugins/scoped/", {"enabled": False},
                      format="json").status_code == 403
    assert api.put(f"/api/v1/organizations/{off.slug}/plugins/webhooks/", {"enabled": False},
                   format="json").status_code == 409  # on for every organization


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_change_in_another_process_is_enforced_here_within_a_second(scoped, two_organizations, web_client_for):
    import subprocess
    import sys

    from conftest import ROOT, child_environment, wait_for

    owner, on, off = two_organizations
    client = web_client_for(owner)
    assert client.get(f"/plugins/scoped/o/{off.slug}/").status_code == 200
    code = (
        "import django; django.setup()\n"
        "from core.models import PluginAvailability\n"
        "from core.plugins import enablement\n"
        "PluginAvailability.objects.update_or_create(plugin='scoped', defaults={'mode': 'selected'})\n"
        "enablement.changed()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_environment(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert wait_for(lambda: client.get(f"/plugins/scoped/o/{off.slug}/").status_code == 404, timeout=5)


def test_the_availability_page_is_the_form_component_a_radio_group_with_a_legend(scoped, web_client_for, make_user):
    html = web_client_for(make_user(is_staff=True)).get("/system/plugins/scoped/").content.decode()
    assert re.search(r'<fieldset class="field choices">\s*<legend>The scoped plugin is on for</legend>', html)
    assert re.search(r'<label for="id_mode_0"><input type="radio" name="mode" value="all" required id="id_mode_0" '
                     r'checked>\s*Every organization</label>', html)
    assert re.search(r'<label for="id_owners_may_enable"><input type="checkbox" name="owners_may_enable" '
                     r'id="id_owners_may_enable"> Organization owners may switch it on', html)


def test_a_refused_availability_change_is_shown_by_its_field_with_what_was_chosen(
        scoped, two_organizations, web_client_for, make_user):
    _, on, _ = two_organizations
    staff = web_client_for(make_user(is_staff=True))
    bad_mode = staff.post("/system/plugins/scoped/", {"action": "mode", "mode": "sometimes", "owners_may_enable": "on"})
    html = bad_mode.content.decode()
    assert bad_mode.status_code == 400
    assert re.search(r'<div class="form-error" id="id_mode_error" role="alert">Select a valid choice. sometimes', html)
    assert re.search(r'name="owners_may_enable" id="id_owners_may_enable" checked', html)  # kept as chosen
    assert plugin_availability.availability("scoped")["mode"] == "all"

    not_yet = staff.post("/system/plugins/scoped/", {"action": "enable", "organization": on.slug})
    assert not_yet.status_code == 400
    assert re.search(r'id="id_mode_error" role="alert">Choose “Only the organizations enabled” first',
                     not_yet.content.decode())

    plugin_availability.set_availability("scoped", "selected")
    unknown = staff.post("/system/plugins/scoped/", {"action": "enable", "organization": "no-such-org"})
    html = unknown.content.decode()
    assert unknown.status_code == 400
    assert re.search(r'id="id_organization_error" role="alert">No organization with the slug &#x27;no-such-org&#x27;',
                     html)
    assert re.search(r'<input type="text" name="organization" value="no-such-org"[^>]*aria-invalid="true"', html)


def test_hostile_input_to_the_availability_page_is_a_clear_400(scoped, web_client_for, make_user):
    staff = web_client_for(make_user(is_staff=True))
    nul = staff.post("/system/plugins/scoped/", "action=mode&mode=all%00", content_type="application/x-www-form-urlencoded")
    assert nul.status_code == 400 and b"NUL character" in nul.content
    plugin_availability.set_availability("scoped", "selected")
    long = staff.post("/system/plugins/scoped/", {"action": "enable", "organization": "x" * 101})
    assert long.status_code == 400 and "at most 100 characters" in long.content.decode()
    assert staff.post("/system/plugins/scoped/", {"action": "explode"}).status_code == 400
