"""Activation through the REST API, the License page, the CLI and the environment; precedence."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from anneal_enterprise import entitlements
from anneal_enterprise.licensing import services, sources, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey

pytestmark = pytest.mark.django_db
API = "/api/v1/plugins/enterprise/license/"
PAGE = "/plugins/enterprise/license/"


@pytest.fixture
def admin(make_user):
    return make_user(is_staff=True)


def test_api_installs_shows_and_removes_a_license(api_client_for, admin, signer, captured_events):
    client = api_client_for(admin)
    assert client.get(API).json()["stage"] == "unlicensed"
    response = client.put(API, {"key": signer.issue(license_id="lic_api", seats=25)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["license"]["license_id"] == "lic_api"
    assert body["source"] == "api" and body["key_kind"] == "test"
    assert body["features"] == {"sso": "enabled", "audit_log": "enabled", "support": "enabled"}
    assert "key" not in body
    assert client.delete(API).json()["stage"] == "unlicensed"
    assert [e.type for e in captured_events if e.type.startswith("license.")] == ["license.installed", "license.removed"]
    assert captured_events[-1].actor.user_id == admin.pk


def test_api_refusal_says_why_and_keeps_the_license(api_client_for, admin, signer):
    client = api_client_for(admin)
    client.put(API, {"key": signer.issue(license_id="lic_kept")}, format="json")
    response = client.put(API, {"key": signer.issue(product="other")}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "other_product"
    assert client.get(API).json()["license"]["license_id"] == "lic_kept"


@pytest.mark.parametrize("body", ['{"key": "\\u0000"}', '{"key": 12345}', "\x00"])
def test_api_refusals_of_a_malformed_key_are_problem_documents_with_a_code(api_client_for, admin, body):
    response = api_client_for(admin).generic("PUT", API, body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] in {"invalid", "parse_error", "nul_character"} and response.json()["detail"]
    assert not LicenseKey.objects.exists()


def test_api_is_for_instance_admins_only(api_client_for, make_user, signer):
    client = api_client_for(make_user())
    assert client.get(API).status_code == 403
    assert client.put(API, {"key": signer.issue()}, format="json").status_code == 403
    assert not LicenseKey.objects.exists()


def test_license_page_installs_a_pasted_key_and_shows_its_source(client, admin, signer):
    client.force_login(admin)
    response = client.post(PAGE, {"key": signer.issue(license_id="lic_web", licensee="Web Corp"), "action": "install"},
                           follow=True)
    html = response.content.decode()
    assert "License lic_web for Web Corp is installed." in html
    assert "License page" in html  # the source
    assert LicenseKey.objects.get(is_active=True).installed_by == admin


def test_license_page_shows_a_refusal_and_keeps_the_pasted_text(client, admin):
    client.force_login(admin)
    html = client.post(PAGE, {"key": "not a key"}).content.decode()
    assert "This is not a valid Anneal license key" in html
    assert "not a key</textarea>" in html


def test_license_page_is_for_staff_only(client, make_user):
    client.force_login(make_user())
    assert client.get(PAGE).status_code == 302


def test_admin_navigation_links_the_license_page_for_staff_only(client, admin, make_user):
    client.force_login(admin)
    assert f'href="{PAGE}"' in client.get("/", follow=True).content.decode()
    client.force_login(make_user())
    assert f'href="{PAGE}"' not in client.get("/", follow=True).content.decode()


def test_cli_installs_from_a_file_shows_and_removes(tmp_path, signer):
    path = tmp_path / "customer.license"
    path.write_text(signer.issue(license_id="lic_cli"))
    out = io.StringIO()
    call_command("license", "install", str(path), stdout=out)
    assert "Installed license lic_cli for Example Corp." in out.getvalue()
    assert LicenseKey.objects.get(is_active=True).source_detail == str(path)
    out = io.StringIO()
    call_command("license", "show", stdout=out)
    assert "Source:    anneal license install" in out.getvalue()
    call_command("license", "remove", stdout=io.StringIO())
    assert status.current().stage() == "unlicensed"


def test_cli_reads_standard_input(monkeypatch, signer):
    monkeypatch.setattr("sys.stdin", io.StringIO(signer.issue(license_id="lic_stdin")))
    call_command("license", "install", "-", stdout=io.StringIO())
    assert LicenseKey.objects.get(is_active=True).license_id == "lic_stdin"


def test_cli_refusal_is_a_command_error_with_the_reason(tmp_path):
    path = tmp_path / "bad.license"
    path.write_text("garbage")
    with pytest.raises(CommandError, match="This is not a valid Anneal license key"):
        call_command("license", "install", str(path), stdout=io.StringIO())


def test_environment_key_is_installed_and_wins_over_other_sources(monkeypatch, signer, captured_events):
    monkeypatch.setenv("ANNEAL_LICENSE_KEY", signer.issue(license_id="lic_env"))
    sources.sync_environment()
    record = LicenseKey.objects.get(is_active=True)
    assert (record.license_id, record.source, record.source_detail) == ("lic_env", "environment", "ANNEAL_LICENSE_KEY")
    assert entitlements.state("sso") == "enabled"
    with pytest.raises(LicenseRefused) as refused:
        services.install(signer.issue(), source="web")
    assert refused.value.message == (
        "The license is set by ANNEAL_LICENSE_KEY, which takes precedence over keys installed here. "
        "Change or unset ANNEAL_LICENSE_KEY, then restart Anneal.")
    with pytest.raises(LicenseRefused, match="set by ANNEAL_LICENSE_KEY"):
        services.remove(source="cli")


def test_environment_key_wins_over_the_file(monkeypatch, tmp_path, signer):
    path = tmp_path / "license"
    path.write_text(signer.issue(license_id="lic_file"))
    monkeypatch.setenv("ANNEAL_LICENSE_FILE", str(path))
    monkeypatch.setenv("ANNEAL_LICENSE_KEY", signer.issue(license_id="lic_env"))
    sources.sync_environment()
    assert LicenseKey.objects.get(is_active=True).license_id == "lic_env"


def test_license_file_is_installed_and_followed_when_it_changes(monkeypatch, tmp_path, signer):
    import os

    path = tmp_path / "license"
    path.write_text(signer.issue(license_id="lic_file_1"))
    monkeypatch.setenv("ANNEAL_LICENSE_FILE", str(path))
    sources.sync_environment()
    assert LicenseKey.objects.get(is_active=True).source == "file"
    path.write_text(signer.issue(license_id="lic_file_2"))
    os.utime(path, (os.stat(path).st_atime, os.stat(path).st_mtime + 5))
    sources.sync_environment()
    assert LicenseKey.objects.get(is_active=True).license_id == "lic_file_2"


def test_refused_environment_key_leaves_the_license_in_force(monkeypatch, signer, caplog):
    services.install(signer.issue(license_id="lic_db"), source="cli")
    monkeypatch.setenv("ANNEAL_LICENSE_KEY", "garbage")
    sources.sync_environment()
    assert LicenseKey.objects.get(is_active=True).license_id == "lic_db"
    assert "The license key in ANNEAL_LICENSE_KEY was refused" in caplog.text
