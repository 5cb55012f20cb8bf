"""A plugin implementing every hook, driven through every call site of the core.

``anneal_dummy`` (in ``dummy_dist/``) asks each hook for all of its arguments. If a call site
stops passing an argument, renames one, or stops calling a hook, these tests fail: that is
exactly the change that would break third-party plugins.
"""

from __future__ import annotations

import importlib
import io
import json
from typing import Any, Iterator

import pytest
from django.urls import clear_url_caches, reverse

from core import features
from core.plugins import hooks, reference

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def plugin_urls(dummy_plugin: Any) -> Iterator[None]:
    """Rebuild the URL configuration with the dummy plugin registered, and without it after."""
    import core.urls

    importlib.reload(core.urls)
    clear_url_caches()
    yield
    dummy_plugin.CALLS.clear()


@pytest.fixture(autouse=True)
def _restore_configuration() -> Iterator[None]:
    """After the dummy plugin is gone: URLs and Celery configuration without it."""
    yield
    import core.urls
    from core.jobs import configure_from_plugins

    importlib.reload(core.urls)
    clear_url_caches()
    configure_from_plugins()


def _hook_names() -> set[str]:
    return set(reference.hook_names())


def test_the_dummy_plugin_implements_every_hook_with_every_argument():
    import inspect

    from anneal_dummy import plugin

    for doc in reference.collect():
        implementation = getattr(plugin, doc.name, None)
        assert implementation is not None, f"tests' dummy plugin does not implement {doc.name}"
        spec_arguments = list(inspect.signature(getattr(reference.default_hookspecs, doc.name)).parameters)
        assert list(inspect.signature(implementation).parameters) == spec_arguments, doc.name


def test_every_call_site_calls_its_hook_with_the_documented_arguments(
    dummy_plugin, plugin_urls, client, make_user, make_organization, make_member,
    api_client_for, web_client_for, django_capture_on_commit_callbacks, settings,
):
    calls = dummy_plugin.CALLS
    owner = make_user(password=PASSWORD)

    # Settings stage (the real settings.py call sites run in a child process: see below).
    assert "anneal_dummy" in hooks.django_apps()
    assert "anneal_dummy.plugin.DummyMiddleware" in hooks.middleware()
    assert "anneal_dummy.plugin.DummyBackend" in hooks.authentication_backends()
    assert hooks.settings_defaults()["ANNEAL_DUMMY_GREETING"] == "hello"

    # URL configuration: pages and API routes mounted under the plugin's namespace.
    assert client.get(reverse("dummy:index")).content == b"dummy page"
    assert api_client_for(owner).get(reverse("api-dummy:ping")).json() == {"dummy": True}

    # Celery configuration.
    from core.jobs import app, configure_from_plugins

    configure_from_plugins()
    assert "anneal_dummy.tasks" in app.conf.imports
    assert app.conf.beat_schedule["dummy-every-minute"]["task"] == "anneal_dummy.tasks.tick"

    # Command line: `anneal dummy-hello` is found through anneal_commands (core.cli runs it in
    # the child process below; run_from_argv would close this test's database connection).
    from django.core.management import call_command

    call_command(hooks.commands()["dummy-hello"](), stdout=io.StringIO())

    # Sign-in page and password sign-in (authentication policy "password", then "session").
    page = client.get(reverse("web:sign_in")).content.decode()
    assert "Sign in with Dummy" in page and "dummy slot sign_in" in page
    response = client.post(reverse("web:sign_in"), {"email": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    client.get("/")

    # A passkey: registration (anneal_passkey_registration), then signing in with it alone
    # (authentication policy "passkey"), with a software authenticator.
    from core.testing.webauthn import SoftAuthenticator

    settings.BASE_URL = "http://testserver"
    key = SoftAuthenticator("http://testserver", "testserver")
    options = json.loads(client.post(reverse("web:passkey_options")).content)
    client.post(reverse("web:passkey_register"), {"name": "Dummy key", "credential": json.dumps(key.register(options))})
    client.post(reverse("web:sign_out"))
    options = json.loads(client.post(reverse("web:passkey_sign_in_options")).content)
    assert client.post(reverse("web:passkey_sign_in"), {"credential": json.dumps(key.assert_(options))}).status_code == 302

    # API: organization creation (action policy, events in and after the transaction).
    with django_capture_on_commit_callbacks(execute=True):
        created = api_client_for(owner).post("/api/v1/organizations/", {"name": "Dummy Org"}, format="json")
    assert created.status_code == 201, created.content
    slug = created.json()["slug"]

    # Role resolution for someone without a membership.
    assert api_client_for(make_user()).get(f"/api/v1/organizations/{slug}/").status_code == 404

    # Pages of an organization: navigation, settings tabs, slots.
    owner_client = web_client_for(owner)
    overview = owner_client.get(reverse("web:organization", args=[slug])).content.decode()
    assert "Dummy entry" in overview and "dummy slot organization" in overview
    settings_page = owner_client.get(reverse("web:organization_settings", args=[slug])).content.decode()
    assert "Dummy settings" in settings_page

    # Usage page (declared meters) and license issuers (called by the enterprise package when
    # it verifies a key; the core only declares the hook).
    usage_page = owner_client.get(reverse("web:organization_usage", args=[slug])).content.decode()
    assert 'data-meter="dummy.things"' in usage_page
    assert [issuer.label for _, issuer in hooks.license_issuers()] == ["Dummy"]
    from core import product

    assert product.is_anneal() and "anneal_product" in calls

    # Egress ledger and plugin settings (instance staff), organization settings tab.
    staff = web_client_for(make_user(is_staff=True))
    assert "The dummy endpoint" in staff.get(reverse("web:egress_ledger")).content.decode()
    assert "Dummy greeting" in staff.get(reverse("web:plugin_settings", args=["dummy"])).content.decode()
    assert "Dummy tone" in owner_client.get(
        reverse("web:organization_plugin_settings", args=[slug, "dummy"])).content.decode()

    # Event registry, entitlements, health, diagnostics.
    from core.events import registry

    assert registry.get("dummy.happened").category == "dummy"
    assert features.registered()["dummy_feature"].default is False
    assert features.has("dummy_feature") is True
    assert client.get("/readyz").json()["checks"]["dummy"] == {"ok": True, "message": "dummy ok"}
    assert [c.id for _, c in hooks.diagnostics() if c.id == "dummy"] == ["dummy"]

    # Upgrade check (anneal upgrade check calls this facade with the probed new version).
    from core.plugins import UpgradeTarget

    findings = hooks.upgrade_checks(UpgradeTarget("9.9.9", {"anneal": "9.9.9"}))
    assert [f.message for f in findings if f.topic == "dummy"] == ["The dummy plugin is fine with Anneal 9.9.9."]

    # Every hook was called, and the arguments carry what the reference promises.
    assert _hook_names() - set(calls) == set()
    assert {c["method"] for c in calls["anneal_authentication_policy"]} == {"password", "passkey", "session", "token"}
    assert calls["anneal_passkey_registration"][0]["aaguid"] == "00000000-0000-0000-0000-000000000000"
    assert calls["anneal_passkey_registration"][0]["attestation_format"] == "none"
    assert any(c["user"] == owner for c in calls["anneal_mfa_requirements"])
    assert any(c["action"] == "organization.create" and c["details"] for c in calls["anneal_action_policy"])
    assert any(c["organization"].slug == slug for c in calls["anneal_organization_role"])
    assert "organization.created" in {c["event"].type for c in calls["anneal_event"]}
    assert len(calls["anneal_event_committed"]) >= 1
    assert {c["slot"] for c in calls["anneal_template_slot"]} >= {"banner", "sign_in", "organization"}
    assert any(c["organization"] is not None for c in calls["anneal_navigation"])
    assert calls["anneal_upgrade_checks"][0]["target"].version == "9.9.9"


def test_settings_stage_call_sites_apply_an_installed_plugins_contributions(sandbox, dummy_dist):
    sandbox.install("anneal-dummy", {"dummy": "anneal_dummy.plugin"})
    sandbox.paths.append(dummy_dist)
    result = sandbox.run("dummy-hello")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "installed_apps": True,
        "middleware": True,
        "backends": True,
        "greeting": "hello",
        "time_zone": "UTC",  # a plugin's default never overrides a setting the core defines
    }
    listed = sandbox.plugins()["dummy"]
    assert listed["status"] == "loaded"
    assert set(listed["hooks"]) == _hook_names()
