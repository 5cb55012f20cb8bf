"""Preview before install: the API, the License page and ``anneal license preview`` say what a key
would change (licensee, dates, key kind, seats, each feature, exceeded quotas) and install nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import CommandError, call_command

from anneal_enterprise.licensing import preview, services
from anneal_enterprise.licensing.models import LicenseKey

pytestmark = pytest.mark.django_db
API = "/api/v1/plugins/enterprise/license/preview/"
PAGE = "/plugins/enterprise/license/"


@pytest.fixture
def admin(make_user):
    return make_user(is_staff=True)


def changes(shown):
    return {change["feature"]: change["change"] for change in shown["features"]}


def test_a_preview_names_each_feature_change_and_installs_nothing(signer, captured_events):
    from anneal_enterprise.audit.models import AuditRecord

    services.install(signer.issue(license_id="lic_now", features=["sso", "audit_log", "support"]), source="cli")
    assert AuditRecord.objects.exists()  # the audit log holds the install: it has data to keep readable
    before = list(LicenseKey.objects.values_list("pk", "is_active"))
    events = len(captured_events)

    shown = preview.preview(signer.issue(license_id="lic_next", features=["sso"])).as_json()

    assert changes(shown) == {"sso": "stays_on", "audit_log": "becomes_read_only", "support": "turns_off"}
    assert shown["installable"] is True and shown["replaces"] == "lic_now"
    assert list(LicenseKey.objects.values_list("pk", "is_active")) == before
    assert len(captured_events) == events


def test_a_preview_on_an_unlicensed_instance_shows_what_turns_on(signer):
    shown = preview.preview(signer.issue(features=["support"], licensee="New Corp", seats=7)).as_json()
    assert changes(shown) == {"sso": "stays_off", "audit_log": "stays_off", "support": "turns_on"}
    assert shown["license"]["licensee"] == "New Corp" and shown["key_kind"] == "test"
    assert shown["replaces"] is None and shown["stage"] == "valid"


def test_a_preview_compares_seats_with_those_in_use_and_lists_exceeded_quotas(signer, make_organization, make_member):
    first = make_organization()
    make_organization()
    make_member(first)  # three seats: two owners and a member
    shown = preview.preview(signer.issue(seats=2, quotas={"organizations": 1, "projects": 10})).as_json()
    assert shown["seats"] == {"licensed": 2, "limit": 3, "in_use": 3, "over": True}
    exceeded = {q["name"]: (q["in_use"], q["licensed"]) for q in shown["quotas_exceeded"]}
    assert exceeded == {"seats": (3, 2), "organizations": (2, 1)}  # projects: 0 of 10 is not exceeded


def test_a_preview_of_a_key_that_would_be_refused_says_why(signer):
    assert preview.preview("not a key").as_json()["refusal"]["code"] == "malformed"
    later = datetime.now(timezone.utc) + timedelta(days=3)
    shown = preview.preview(signer.issue(starts_at=later, license_id="lic_later")).as_json()
    assert shown["installable"] is False and shown["refusal"]["code"] == "not_yet_valid"
    assert shown["license"]["license_id"] == "lic_later"  # still shown, so the admin sees what it is


def test_the_api_previews_without_installing_and_is_for_instance_admins(api_client_for, admin, make_user, signer):
    key = signer.issue(license_id="lic_api_preview", features=["sso"])
    assert api_client_for(make_user()).post(API, {"key": key}, format="json").status_code == 403
    response = api_client_for(admin).post(API, {"key": key}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["license"]["license_id"] == "lic_api_preview"
    assert changes(response.json())["sso"] == "turns_on"
    refused = api_client_for(admin).post(API, {"key": signer.issue(product="other")}, format="json").json()
    assert refused["installable"] is False and refused["refusal"]["code"] == "other_product"
    assert not LicenseKey.objects.exists()


def test_the_license_page_previews_first_and_installs_only_on_the_explicit_step(client, admin, signer):
    client.force_login(admin)
    key = signer.issue(license_id="lic_page", licensee="Page Corp", seats=12)
    html = client.post(PAGE, {"key": key, "action": "preview"}).content.decode()
    assert "Preview of the pasted key" in html and "Page Corp" in html and "0 in use of 12" in html
    assert 'value="install"' in html and not LicenseKey.objects.exists()
    response = client.post(PAGE, {"key": key, "action": "install"}, follow=True)
    assert "License lic_page for Page Corp is installed." in response.content.decode()
    assert LicenseKey.objects.get(is_active=True).license_id == "lic_page"


def test_the_license_page_preview_of_a_refused_key_offers_no_install(client, admin, signer):
    client.force_login(admin)
    html = client.post(PAGE, {"key": signer.issue(product="other"), "action": "preview"}).content.decode()
    assert "not for Anneal" in html and 'value="install"' not in html


def test_cli_preview_prints_the_changes_and_installs_nothing(tmp_path, signer, capsys):
    path = tmp_path / "next.license"
    path.write_text(signer.issue(license_id="lic_cli_preview", licensee="CLI Corp", features=["audit_log"]))
    call_command("license", "preview", str(path))
    out = capsys.readouterr().out
    assert "lic_cli_preview for CLI Corp" in out and "audit_log: unavailable -> turns on" in out
    assert "Nothing was installed" in out and not LicenseKey.objects.exists()


def test_cli_preview_of_a_refused_key_fails_with_the_reason(tmp_path, signer):
    path = tmp_path / "other.license"
    path.write_text(signer.issue(product="other"))
    with pytest.raises(CommandError, match="would be refused: This license key is for the product 'other'"):
        call_command("license", "preview", str(path))
