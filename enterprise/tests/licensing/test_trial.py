"""The offline one-click trial: a signed grant shipped with the product, started once per instance."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import Client, RequestFactory

from anneal_enterprise.licensing import alerts, banners, clock, document, services, status, trial
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey, Trial
from core import features
from core.plugins import TrialOffer
from conftest import SERVICES

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
TRIAL_URL = "/plugins/enterprise/license/trial/"
API = "/api/v1/plugins/enterprise/license/trial/"


def offered(days=30, grant_days=30, enabled=True, features=("acme.insights", "sso", "audit_log", "support")):
    return lambda production, test: TrialOffer(
        grant=production.trial_grant(product="acme-cloud", days=grant_days, features=features,
                                     license_id="trial_acme"), days=days, enabled=enabled)


@pytest.fixture
def acme(vendor_product):
    clock.set_now(START)
    return vendor_product(trial=offered())


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.com", is_staff=True)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_an_instance_admin_starts_the_trial_from_an_upgrade_prompt_and_its_features_turn_on(acme, admin,
                                                                                            captured_events):
    response = signed_in(admin).post(TRIAL_URL, {"next": "/plugins/enterprise/audit/"})
    assert response.status_code == 302 and response["Location"] == "/plugins/enterprise/audit/"
    assert features.has("acme.insights") and features.has("sso")
    record = LicenseKey.objects.get(is_active=True)
    assert (record.product, record.source, record.installed_by) == ("acme-cloud", "trial", admin)
    started = Trial.objects.get()
    assert (started.started_at, started.ends_at, started.days) == (START, START + timedelta(days=30), 30)
    event = next(e for e in captured_events if e.type == "license.trial_started")
    assert (event.data["days"], event.data["ends_at"], event.actor.user_id) == (30, "2026-03-31T09:00:00Z", admin.pk)


def test_a_second_start_is_refused_with_the_date_of_the_first(acme, admin):
    client = signed_in(admin)
    client.post(TRIAL_URL)
    response = client.post(TRIAL_URL, follow=True)
    assert any("This instance already started its trial of Acme Cloud Enterprise on" in m and
               "A trial can be started once per instance." in m and "https://acme.example/buy" in m
               for m in messages_of(response))
    assert Trial.objects.count() == 1 and LicenseKey.objects.count() == 1


def test_a_second_start_is_refused_after_the_trial_ended(acme, admin):
    trial.start(source="cli", user=admin)
    clock.set_now(START + timedelta(days=45))
    with pytest.raises(LicenseRefused) as refused:
        trial.start(source="cli", user=admin)
    assert refused.value.code == "trial_used"
    assert "(it ended on" in refused.value.message


def test_a_second_start_is_refused_after_the_trial_license_was_removed(acme, admin, api_client_for):
    trial.start(source="cli", user=admin)
    services.remove(source="cli")
    status.refresh(force=True)
    assert not features.has("sso")
    response = api_client_for(admin).post(API)
    assert response.status_code == 409 and response.json()["code"] == "trial_used"
    assert Trial.objects.count() == 1


def test_the_database_refuses_a_second_trial_row_for_the_product(acme, admin):
    trial.start(source="cli", user=admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Trial.objects.create(product="acme-cloud", license_id="again", days=30, started_at=START, ends_at=START)


@pytest.mark.skipif(not SERVICES, reason="two concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_start_one_trial_and_refuse_the_other(vendor_product, make_user, captured_events):
    clock.set_now(START)
    vendor_product(trial=offered())
    admins = [make_user(is_staff=True), make_user(is_staff=True)]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def click(user):
        from django.db import connection

        client = signed_in(user)
        barrier.wait()
        try:
            codes.append(client.post(TRIAL_URL, follow=True).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200, 200]
    assert Trial.objects.count() == 1 and LicenseKey.objects.filter(source="trial").count() == 1
    assert [e.type for e in captured_events].count("license.trial_started") == 1
    assert [e.data.get("code") for e in captured_events if e.type == "license.refused"] == ["trial_used"]


def test_an_organization_owner_who_is_not_an_instance_admin_cannot_start_the_trial(acme, make_organization,
                                                                                   make_user, api_client_for):
    owner = make_user()
    make_organization(owner=owner)
    response = signed_in(owner).post(TRIAL_URL)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert api_client_for(owner).post(API).status_code == 403
    assert not Trial.objects.exists() and not LicenseKey.objects.exists()
    assert not features.has("sso")


def test_the_vendor_sets_the_length_and_a_shorter_grant_wins(vendor_product, admin):
    clock.set_now(START)
    vendor_product(trial=offered(days=14, grant_days=60))
    trial.start(source="cli", user=admin)
    assert Trial.objects.get().ends_at == START + timedelta(days=14)
    Trial.objects.all().delete()
    LicenseKey.objects.all().delete()


def test_the_grants_own_duration_applies_when_shorter(vendor_product, admin):
    clock.set_now(START)
    vendor_product(trial=offered(days=30, grant_days=7))
    trial.start(source="cli", user=admin)
    status.refresh(force=True)
    assert status.current().claims.expires_at == START + timedelta(days=7)


def test_a_vendor_can_switch_trials_off(vendor_product, admin, api_client_for):
    vendor_product(trial=offered(enabled=False))
    assert "switched off by its vendor" in trial.state()["reason"]
    response = api_client_for(admin).post(API)
    assert response.status_code == 409 and response.json()["code"] == "trial_unavailable"
    assert 'data-testid="start-trial"' not in render_prompt(admin, "acme.insights")


def test_a_product_that_ships_no_grant_offers_no_trial(vendor_product, admin):
    vendor_product()
    with pytest.raises(LicenseRefused, match="offers no trial on this instance: its distribution ships no trial grant"):
        trial.start(source="cli", user=admin)


def test_a_tampered_trial_grant_is_refused_with_a_clear_message(vendor_product, admin):
    def tampered(production, test):
        grant = production.trial_grant(product="acme-cloud", days=30)
        header, claims, signature = "".join(grant.splitlines()[1:-1]).split(".")
        longer = document.b64encode(document.b64decode(claims).replace(b'"duration_days":30', b'"duration_days":3650'))
        return TrialOffer(grant="\n".join([document.BEGIN, f"{header}.{longer}.{signature}", document.END]))

    vendor_product(trial=tampered)
    with pytest.raises(LicenseRefused) as refused:
        trial.start(source="cli", user=admin)
    assert refused.value.code == "tampered"
    assert refused.value.message.startswith("This trial grant's signature does not match its content for the "
                                            "production key 'acme-production-test-run': it was changed")
    assert "Reinstall the product's distribution" in refused.value.message
    assert not Trial.objects.exists()


def test_a_trial_grant_signed_by_anneal_is_refused_for_the_vendors_product(vendor_product, signer, admin):
    vendor_product(trial=lambda production, test: TrialOffer(grant=signer.trial_grant(product="acme-cloud")))
    with pytest.raises(LicenseRefused) as refused:
        trial.start(source="cli", user=admin)
    assert refused.value.code == "untrusted_issuer"


def test_a_trial_grant_cannot_grant_features_outside_the_vendors_scope(vendor_product, admin):
    vendor_product(trial=offered(features=("acme.insights", "webhooks.signing")))
    with pytest.raises(LicenseRefused, match="it claims webhooks.signing"):
        trial.start(source="cli", user=admin)


def test_a_trial_grant_pasted_as_a_license_key_is_refused(acme, admin):
    grant = trial.offer().grant
    with pytest.raises(LicenseRefused) as refused:
        services.install(grant, source="web", user=admin)
    assert refused.value.code == "trial_grant"
    assert "Start the trial from the License page" in refused.value.message


def banner_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return banners.banner(request) or ""


def test_the_banner_counts_down_the_days_and_says_what_happens_at_the_end(acme, admin, make_organization,
                                                                          make_member, make_user):
    organization = make_organization()
    org_admin, member = make_member(organization, role="admin"), make_member(organization)
    trial.start(source="cli", user=admin)
    text = banner_for(admin)
    assert "Trial of Acme Cloud Enterprise: <strong>30 days left</strong>" in text
    assert ("When it ends, its features switch off: nothing is deleted, nobody is locked out, and their data stays "
            "readable and exportable.") in text
    assert 'href="https://acme.example/buy"' in text and 'href="mailto:sales@acme.example"' in text
    assert "30 days left" in banner_for(org_admin) and banner_for(member) == ""
    clock.set_now(START + timedelta(days=29, hours=12))
    assert "<strong>1 day left</strong>" in banner_for(admin)


def test_the_trial_ends_with_the_normal_lapse_nothing_deleted_and_an_audit_event(acme, admin, captured_events):
    trial.start(source="cli", user=admin)
    assert alerts.report_lifecycle() == []
    clock.set_now(START + timedelta(days=30))
    status.refresh(force=True)
    assert status.current().stage() == "expired"
    assert not features.has("sso") and not features.has("acme.insights")
    assert status.was_licensed("acme.insights")
    assert "Existing data stays readable and exportable" in render_prompt(admin, "acme.insights")
    assert "The trial of Acme Cloud Enterprise ended on" in banner_for(admin)
    assert "license.trial_ended" in alerts.report_lifecycle()
    assert "license.trial_ended" not in alerts.report_lifecycle()  # once
    assert [e.type for e in captured_events].count("license.trial_ended") == 1
    assert LicenseKey.objects.filter(source="trial").count() == 1  # the record stays
    assert Client().login(username=admin.email, password="correct horse battery")  # nobody is locked out


def test_a_bought_license_replaces_the_trial(acme, admin):
    production, _ = acme
    trial.start(source="cli", user=admin)
    services.install(production.issue(product="acme-cloud", license_id="lic_bought", starts_at=START), source="cli")
    status.refresh(force=True)
    assert status.current().claims.license_id == "lic_bought"
    assert banner_for(admin) == ""
    assert not trial.state()["available"]


def render_prompt(user, feature):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return Template("{% load anneal %}{% feature_unavailable feature %}").render(
        Context({"request": request, "feature": feature}))


def test_the_upgrade_prompt_says_what_the_feature_does_and_offers_the_trial_to_instance_admins(acme, admin,
                                                                                               make_user):
    html = render_prompt(admin, "acme.insights")
    assert "Insights is part of Acme Cloud Enterprise." in html
    assert "Charts of how each team uses Acme Cloud." in html
    assert 'action="/plugins/enterprise/license/trial/"' in html and 'name="next" value="/somewhere/"' in html
    assert "Start a free trial (30 days, no network needed)" in html
    assert 'href="https://acme.example/buy"' in html and 'href="mailto:sales@acme.example"' in html
    member_html = render_prompt(make_user(), "sso")
    assert 'data-testid="start-trial"' not in member_html
    assert "Ask your Acme administrator" in member_html and 'href="https://acme.example/buy"' in member_html


def test_anneal_itself_offers_a_trial_when_its_distribution_ships_a_grant(settings, signer, admin):
    clock.set_now(START)
    assert not trial.state()["available"]
    settings.ANNEAL_LICENSE_TRIAL_GRANT = signer.trial_grant(days=30, features=["sso"])
    assert trial.state()["available"] and trial.state()["edition"] == "Anneal Enterprise"
    trial.start(source="cli", user=admin)
    assert features.has("sso") and not features.has("audit_log")
    assert "Trial of Anneal Enterprise: <strong>30 days left</strong>" in banner_for(admin)


def test_the_license_page_offers_the_trial_and_the_instance_identifier(acme, admin):
    html = signed_in(admin).get("/plugins/enterprise/license/").content.decode()
    assert 'data-testid="start-trial"' in html
    assert 'data-testid="instance-identifier"' in html
    assert 'href="https://acme.example/buy"' in html


def test_no_trial_is_offered_or_started_while_a_license_of_the_edition_is_in_force(acme, admin):
    production, _ = acme
    services.install(production.issue(product="acme-cloud", license_id="lic_bought", starts_at=START), source="cli")
    status.refresh(force=True)
    assert trial.state()["reason"] == "A license of Acme Cloud Enterprise is in force; a trial would add nothing."
    with pytest.raises(LicenseRefused, match="is in force; a trial would add nothing"):
        trial.start(source="cli", user=admin)
    assert status.current().claims.license_id == "lic_bought" and not Trial.objects.exists()


def test_the_cli_starts_the_trial_and_shows_it(acme):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("license", "show", stdout=out)
    assert "Trial:     a 30-day trial of Acme Cloud Enterprise is available: anneal license trial" in out.getvalue()
    out = io.StringIO()
    call_command("license", "trial", stdout=out)
    assert "Started the trial trial_acme." in out.getvalue()
    assert "Trial:     started 2026-03-01T09:00:00+00:00, ends 2026-03-31T09:00:00+00:00" in out.getvalue()
    assert Trial.objects.get().started_by is None
