"""Email domains are proven by a DNS TXT record, looked up at a real DNS server run by the test."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso import config
from anneal_enterprise.sso.models import IdentityProvider, VerifiedDomain
from core.services.errors import ServiceError

from .dns_server import unreachable_nameserver

API = "/api/v1/plugins/enterprise/sso/organizations/{slug}/domains/"


@pytest.fixture
def organization(sso_licensed, make_organization):
    organization = make_organization()
    IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP",
                                    issuer="https://idp.test", client_id="x")
    return organization


def event_types(captured_events):
    return [event.type for event in captured_events]


def test_a_new_domain_is_pending_with_a_random_token(organization, captured_events):
    first = config.add_domain(organization, "  @Acme.TEST. ")
    second = config.add_domain(organization, "other.test")
    assert first.domain == "acme.test" and not first.is_verified
    assert len(first.token) >= 24 and first.token != second.token
    assert first.record_name == "_anneal-verification.acme.test"
    assert first.record_value == f"anneal-domain-verification={first.token}"
    assert "sso.domain_added" in event_types(captured_events)


def test_the_published_txt_record_verifies_the_domain(organization, dns_server, captured_events):
    domain = config.add_domain(organization, "acme.test")
    dns_server.publish(domain.record_name, "v=spf1 -all", domain.record_value)
    domain = config.verify_domain(domain)
    assert domain.is_verified and domain.last_error == ""
    assert "_anneal-verification.acme.test" in dns_server.zone.queries
    assert "sso.domain_verified" in event_types(captured_events)


def test_a_record_with_another_token_does_not_verify(organization, dns_server, captured_events):
    domain = config.add_domain(organization, "acme.test")
    dns_server.publish(domain.record_name, "anneal-domain-verification=someone-elses-token")
    with pytest.raises(ServiceError, match="different token"):
        config.verify_domain(domain)
    domain.refresh_from_db()
    assert not domain.is_verified and "different token" in domain.last_error
    assert captured_events[-1].type == "sso.domain_verification_failed"


def test_a_missing_record_does_not_verify(organization, dns_server, captured_events):
    domain = config.add_domain(organization, "acme.test")
    dns_server.publish("acme.test", domain.record_value)  # at the apex, not at _anneal-verification
    with pytest.raises(ServiceError, match="No TXT record"):
        config.verify_domain(domain)
    domain.refresh_from_db()
    assert not domain.is_verified and domain.last_checked_at is not None
    assert captured_events[-1].data["reason"].startswith("No TXT record")


def test_an_unreachable_resolver_is_a_clear_error_and_the_domain_stays_pending(organization, settings,
                                                                                captured_events):
    domain = config.add_domain(organization, "acme.test")
    token = domain.token
    settings.ANNEAL_SSO_DNS_NAMESERVERS = [unreachable_nameserver()]
    settings.ANNEAL_SSO_DNS_TIMEOUT = 2
    with pytest.raises(ServiceError, match="Could not check _anneal-verification.acme.test: the DNS did not answer"):
        config.verify_domain(domain)
    domain.refresh_from_db()
    assert not domain.is_verified and domain.token == token and "stays pending" in domain.last_error
    assert captured_events[-1].type == "sso.domain_verification_failed"


def test_a_failed_check_never_unverifies_a_verified_domain(organization, dns_server):
    domain = config.add_domain(organization, "acme.test")
    dns_server.publish(domain.record_name, domain.record_value)
    verified_at = config.verify_domain(domain).verified_at
    dns_server.zone.records.clear()
    with pytest.raises(ServiceError):
        config.verify_domain(domain)
    domain.refresh_from_db()
    assert domain.verified_at == verified_at


def test_the_periodic_recheck_verifies_pending_domains_once_published(organization, dns_server, captured_events):
    from anneal_enterprise.sso.tasks import recheck_pending_domains

    published = config.add_domain(organization, "acme.test")
    missing = config.add_domain(organization, "later.test")
    dns_server.publish(published.record_name, published.record_value)
    assert recheck_pending_domains() == 1
    assert VerifiedDomain.objects.get(domain="acme.test").is_verified
    assert not VerifiedDomain.objects.get(domain="later.test").is_verified
    failure = [e for e in captured_events if e.type == "sso.domain_verification_failed"][-1]
    assert failure.data["scheduled"] is True and failure.target.id == missing.domain


def test_a_pending_domain_does_not_route_sign_in_and_a_verified_one_does(organization, dns_server, client):
    domain = config.add_domain(organization, "routed.test")
    pending = client.post(reverse("enterprise:sso_sign_in"), {"entry": "someone@routed.test"}, follow=True)
    assert "No organization with single sign-on matches" in pending.content.decode()
    dns_server.publish(domain.record_name, domain.record_value)
    config.verify_domain(domain)
    provider = IdentityProvider.objects.get(organization=organization)
    routed = client.post(reverse("enterprise:sso_sign_in"), {"entry": "someone@routed.test"})
    assert routed["Location"].startswith(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))


def test_scim_does_not_take_over_an_account_at_a_pending_domain(organization, make_user):
    from anneal_enterprise.sso.scim.errors import ScimError
    from anneal_enterprise.sso.scim.schema import UserResource
    from anneal_enterprise.sso.scim.user_service import create_user

    make_user(email="ivy@acme.test")
    config.add_domain(organization, "acme.test")
    with pytest.raises(ScimError, match="not verified"):
        create_user(organization, UserResource(user_name="ivy@acme.test", emails=[{"value": "ivy@acme.test"}]))


def test_the_api_adds_verifies_and_lists_domains(organization, dns_server, make_member, api_client_for,
                                                 captured_events):
    admin = make_member(organization, "admin")
    api = api_client_for(admin)
    url = API.format(slug=organization.slug)
    created = api.post(url, {"domain": "acme.test"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["record_name"] == "_anneal-verification.acme.test"
    refused = api.post(f"{url}{body['id']}/verify/", format="json")
    assert refused.status_code == 400 and "No TXT record" in refused.content.decode()
    dns_server.publish(body["record_name"], body["record_value"])
    verified = api.post(f"{url}{body['id']}/verify/", format="json")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert [d["status"] for d in api.get(url).json()] == ["verified"]
    member = make_member(organization, "member")
    assert api_client_for(member).post(f"{url}{body['id']}/verify/", format="json").status_code == 403


def test_the_settings_page_shows_the_record_and_verifies_on_request(organization, dns_server, make_user):
    owner = organization.memberships.get(role="owner").user
    client = Client()
    client.force_login(owner)
    url = reverse("enterprise:sso_settings", args=[organization.slug])
    client.post(url, {"action": "add_domain", "domain": "acme.test"})
    domain = VerifiedDomain.objects.get(domain="acme.test")
    page = client.get(url).content.decode()
    assert domain.record_name in page and domain.record_value in page and "pending" in page
    failed = client.post(url, {"action": "verify_domain", "id": domain.pk}, follow=True).content.decode()
    assert "No TXT record" in failed
    dns_server.publish(domain.record_name, domain.record_value)
    done = client.post(url, {"action": "verify_domain", "id": domain.pk}, follow=True).content.decode()
    assert "Verified acme.test" in done
    domain.refresh_from_db()
    assert domain.is_verified


@pytest.mark.parametrize("entry", ["", "acme", "a b.test", "x@acme.test", "acme.test\x00", "a" * 250 + ".test",
                                   "-acme.test", "acme..test", "acme.test/x", "_acme.test"])
def test_malformed_domains_are_refused(organization, entry):
    with pytest.raises(ServiceError):
        config.add_domain(organization, entry)


def test_malformed_nameserver_setting_is_a_clear_error(organization, settings):
    domain = config.add_domain(organization, "acme.test")
    settings.ANNEAL_SSO_DNS_NAMESERVERS = ["not-an-address"]
    with pytest.raises(ServiceError, match="ANNEAL_SSO_DNS_NAMESERVERS"):
        config.verify_domain(domain)


@pytest.mark.django_db(transaction=True)
def test_domains_declared_before_verification_migrate_as_pending_with_their_own_tokens():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("anneal_sso", "0001_initial")])
    old = executor.loader.project_state([("anneal_sso", "0001_initial")]).apps
    organization = old.get_model("core", "Organization").objects.create(name="Old", slug="old-org")
    for name in ("one.test", "two.test"):
        old.get_model("anneal_sso", "VerifiedDomain").objects.create(organization_id=organization.pk, domain=name)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    domains = list(VerifiedDomain.objects.all())
    assert len(domains) == 2 and not any(d.is_verified for d in domains)
    assert len({d.token for d in domains}) == 2 and all(len(d.token) >= 24 for d in domains)
