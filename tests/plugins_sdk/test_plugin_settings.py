"""Plugin settings: declared through a hook, rendered, validated and stored by the core, read back typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from core.models import PluginSettingValue
from core.plugins import PluginSetting, hookimpl
from core.plugins.settings import UnknownSetting, value
from core.services import plugin_availability

pytestmark = pytest.mark.django_db


class Configurable:
    @hookimpl
    def anneal_plugin_settings(self) -> list[PluginSetting]:
        return [
            PluginSetting("endpoint", "Endpoint", kind="url", help="Where to send reports."),
            PluginSetting("api_key", "API key", kind="secret"),
            PluginSetting("batch", "Batch size", kind="int", default=50, minimum=1, maximum=500),
            PluginSetting("tone", "Tone", kind="choice", choices=("warm", "dry"), default="warm"),
            PluginSetting("tone", "Tone", kind="choice", choices=("warm", "dry"), scope="organization"),
            PluginSetting("loud", "Loud", kind="bool", default=False, scope="organization"),
        ]


@pytest.fixture
def configurable(anneal_plugin: Any) -> None:
    anneal_plugin(Configurable(), name="configurable")


@pytest.fixture
def staff(web_client_for: Any, make_user: Any) -> Any:
    return web_client_for(make_user(is_staff=True))


def test_values_read_back_typed_with_defaults_and_organization_fallback(configurable, make_organization):
    from core.services import plugin_settings

    organization = make_organization()
    assert value("configurable", "batch") == 50
    assert value("configurable", "tone", organization) == "warm"  # no organization value: the instance's default
    plugin_settings.save("configurable", "instance", {"batch": "120", "tone": "dry"})
    assert value("configurable", "batch") == 120
    assert value("configurable", "tone", organization) == "dry"  # falls back to the instance value
    plugin_settings.save("configurable", "organization", {"tone": "warm", "loud": "on"}, organization)
    assert value("configurable", "tone", organization) == "warm"
    assert value("configurable", "loud", organization) is True
    assert value("configurable", "loud", make_organization()) is False
    with pytest.raises(UnknownSetting):
        value("configurable", "nope")


def test_the_staff_page_renders_validates_and_saves_instance_settings(configurable, staff, captured_events):
    page = staff.get("/system/plugins/configurable/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    for label in ("Endpoint", "API key", "Batch size", "Tone"):
        assert label in text
    assert "Loud" not in text  # organization-only
    bad = staff.post("/system/plugins/configurable/settings/",
                     {"endpoint": "ftp://files.example", "batch": "5000", "tone": "dry", "api_key": ""})
    assert bad.status_code == 400
    assert "http:// or https://" in bad.content.decode() or "Enter a valid URL" in bad.content.decode() \
        or "at most 500" in bad.content.decode() or "less than or equal to 500" in bad.content.decode()
    assert not PluginSettingValue.objects.exists()  # nothing saved from a form with an error
    ok = staff.post("/system/plugins/configurable/settings/",
                    {"endpoint": "https://reports.example/in", "batch": "200", "tone": "dry", "api_key": "s3cr3t"})
    assert ok.status_code == 302
    assert value("configurable", "api_key") == "s3cr3t"
    assert value("configurable", "endpoint") == "https://reports.example/in"
    again = staff.get("/system/plugins/configurable/settings/").content.decode()
    assert "s3cr3t" not in again and "A value is set; leave this empty to keep it." in again
    (event,) = [e for e in captured_events if e.type == "plugin.settings_changed"]
    assert event.diff["api_key"][1] != "s3cr3t"  # redacted in the event
    assert event.diff["batch"] == [None, 200]


def test_an_empty_secret_field_keeps_the_secret_and_the_clear_box_removes_it(configurable, staff):
    staff.post("/system/plugins/configurable/settings/", {"api_key": "first", "tone": "warm", "batch": "50"})
    staff.post("/system/plugins/configurable/settings/", {"api_key": "", "tone": "warm", "batch": "50"})
    assert value("configurable", "api_key") == "first"
    staff.post("/system/plugins/configurable/settings/",
               {"api_key": "", "clear_api_key": "on", "tone": "warm", "batch": "50"})
    assert value("configurable", "api_key") is None


def test_a_secret_is_stored_encrypted(configurable, staff):
    staff.post("/system/plugins/configurable/settings/", {"api_key": "plain-text-key", "tone": "warm", "batch": "50"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, value FROM core_pluginsettingvalue WHERE name = 'api_key'")
        secret, stored_value = cursor.fetchone()
    assert "plain-text-key" not in secret and secret
    assert stored_value in (None, "null")


def test_organization_settings_are_a_settings_tab_for_admins_only(configurable, make_organization, make_member,
                                                                  web_client_for):
    organization = make_organization()
    admin = web_client_for(make_member(organization, "admin"))
    tabs = admin.get(f"/o/{organization.slug}/settings/").content.decode()
    assert f'href="/o/{organization.slug}/settings/plugins/configurable/"' in tabs
    page = admin.get(f"/o/{organization.slug}/settings/plugins/configurable/")
    assert page.status_code == 200 and "Loud" in page.content.decode() and "API key" not in page.content.decode()
    assert admin.post(f"/o/{organization.slug}/settings/plugins/configurable/",
                      {"tone": "dry", "loud": "on"}).status_code == 302
    assert value("configurable", "tone", organization) == "dry"
    member = web_client_for(make_member(organization, "member"))
    assert member.get(f"/o/{organization.slug}/settings/plugins/configurable/").status_code == 403


def test_a_plugin_off_for_an_organization_has_no_settings_there(configurable, make_organization, make_member,
                                                                web_client_for):
    on, off = make_organization(), make_organization()
    plugin_availability.set_availability("configurable", "selected", organizations=[on.slug])
    admin = web_client_for(make_member(off, "admin"))
    assert admin.get(f"/o/{off.slug}/settings/plugins/configurable/").status_code == 404
    assert "settings/plugins/configurable/" not in admin.get(f"/o/{off.slug}/settings/").content.decode()


def test_the_api_reads_and_changes_settings_and_never_returns_a_secret(configurable, api_client_for, make_user,
                                                                       make_organization, make_member):
    api = api_client_for(make_user(is_staff=True))
    response = api.patch("/api/v1/system/plugins/configurable/settings/",
                         {"values": {"api_key": "k", "batch": 75}}, format="json")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert rows["batch"]["value"] == 75 and rows["batch"]["is_set"] is True
    assert rows["api_key"] == {**rows["api_key"], "value": None, "is_set": True}
    assert "k" not in str(rows["api_key"]["default"])
    bad = api.patch("/api/v1/system/plugins/configurable/settings/", {"values": {"batch": True}}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "batch"
    unknown = api.patch("/api/v1/system/plugins/configurable/settings/", {"values": {"nope": 1}}, format="json")
    assert unknown.status_code == 400
    reset = api.patch("/api/v1/system/plugins/configurable/settings/", {"values": {"batch": None}}, format="json")
    assert {row["name"]: row for row in reset.json()}["batch"] == {
        **{row["name"]: row for row in reset.json()}["batch"], "value": 50, "is_set": False}
    assert api.get("/api/v1/system/plugins/webhooks/settings/").status_code == 404  # declares none

    organization = make_organization()
    admin = api_client_for(make_member(organization, "admin"))
    url = f"/api/v1/organizations/{organization.slug}/plugins/configurable/settings/"
    assert admin.patch(url, {"values": {"tone": "dry"}}, format="json").status_code == 200
    assert value("configurable", "tone", organization) == "dry"
    assert api_client_for(make_member(organization, "member")).get(url).status_code == 403
    hostile = admin.patch(url, {"values": {"tone": "dry\u0000"}}, format="json")
    assert hostile.status_code == 400
