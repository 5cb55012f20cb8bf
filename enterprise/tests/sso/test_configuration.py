"""Configuring SSO: licensing states, the settings tab, the REST API, secrets at rest, events."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso import config
from anneal_enterprise.sso.models import IdentityProvider
from core.services.errors import ServiceError

from .conftest import add_verified_domain

pytestmark = pytest.mark.django_db
API = "/api/v1/plugins/enterprise/sso/organizations/{slug}/"


def test_without_the_feature_the_sso_tab_shows_the_unavailable_slot(make_organization, make_user):
    owner = make_user()
    organization = make_organization(owner=owner)
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("enterprise:sso_settings", args=[organization.slug])).content.decode()
    assert 'class="feature-unavailable"' in page or 'data-plugin' in page
    assert "Add an OpenID Connect provider" not in page


def test_without_the_feature_no_sso_sign_in_is_possible(make_organization, client):
    organization = make_organization()
    provider = IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP",
                                               issuer="https://idp.test", client_id="x")
    response = client.post(reverse("enterprise:sso_sign_in"), {"entry": organization.slug}, follow=True)
    assert "No organization with single sign-on matches" in response.content.decode()
    response = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    with pytest.raises(ServiceError, match="needs an enterprise license"):
        config.create_provider(organization, "oidc", name="x", issuer="https://i.test", client_id="y")


def test_sign_in_page_offers_sso_and_routes_by_slug_and_verified_domain(oidc_provider, client):
    provider = oidc_provider()
    add_verified_domain(provider.organization, "routed.test")
    assert "Sign in with SSO" in client.get(reverse("web:sign_in")).content.decode()
    start = reverse("enterprise:sso_oidc_start", args=[provider.public_id])
    by_slug = client.post(reverse("enterprise:sso_sign_in"), {"entry": provider.organization.slug})
    assert by_slug["Location"].startswith(start)
    by_email = client.post(reverse("enterprise:sso_sign_in"), {"entry": "Someone@Routed.test"})
    assert by_email["Location"].startswith(start)
    unknown = client.post(reverse("enterprise:sso_sign_in"), {"entry": "x@unrouted.test"}, follow=True)
    assert "No organization with single sign-on matches" in unknown.content.decode()


def test_client_secret_is_encrypted_at_rest_and_never_returned(sso_licensed, make_organization, make_user,
                                                              api_client_for, captured_events, oidc_idp,
                                                              outbound_allow):
    outbound_allow("127.0.0.1")
    owner = make_user()
    organization = make_organization(owner=owner)
    api = api_client_for(owner)
    response = api.post(API.format(slug=organization.slug) + "providers/", {
        "kind": "oidc", "name": "Okta", "issuer": oidc_idp.issuer, "client_id": "0oa1",
        "client_secret": "super-secret-value", "role_mapping": {"Admins": "admin"}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "client_secret" not in body and body["client_secret_set"] is True
    assert body["urls"]["Sign-in redirect URI"].endswith(f"/plugins/enterprise/sso/oidc/{body['id']}/callback/")
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret_encrypted FROM anneal_sso_identityprovider")
        stored = cursor.fetchone()[0]
    assert "super-secret-value" not in stored
    assert IdentityProvider.objects.get().client_secret == "super-secret-value"
    created = [e for e in captured_events if e.type == "sso.provider_created"][0]
    assert "super-secret-value" not in str(created.as_dict())


def test_api_validates_the_role_mapping_and_requires_admin(sso_licensed, make_organization, make_member,
                                                          api_client_for):
    organization = make_organization()
    admin, member = make_member(organization, "admin"), make_member(organization, "member")
    url = API.format(slug=organization.slug) + "providers/"
    payload = {"kind": "oidc", "name": "Okta", "issuer": "https://acme.okta.test", "client_id": "0oa1",
               "role_mapping": {"Admins": "emperor"}}
    assert api_client_for(member).post(url, payload, format="json").status_code == 403
    response = api_client_for(admin).post(url, payload, format="json")
    assert response.status_code == 400 and "emperor" in response.json()["detail"]


def test_policy_api_sets_enforcement_and_break_glass(oidc_provider, make_user, api_client_for, captured_events):
    from core.models import Membership

    provider = oidc_provider()
    owner = Membership.objects.get(organization=provider.organization, role="owner").user
    url = API.format(slug=provider.organization.slug) + "policy/"
    response = api_client_for(owner).post(url, {"enforce": True, "break_glass": [owner.email]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"enforce": True, "require_for_tokens": False, "break_glass": [owner.email],
                               "state": "enabled"}
    assert "sso.settings_changed" in [e.type for e in captured_events]


def test_settings_tab_adds_a_provider_and_shows_values_to_copy(sso_licensed, make_organization, make_user,
                                                              captured_events, oidc_idp, outbound_allow):
    outbound_allow("127.0.0.1")
    owner = make_user()
    organization = make_organization(owner=owner)
    client = Client()
    client.force_login(owner)
    url = reverse("enterprise:sso_settings", args=[organization.slug])
    assert "SSO" in client.get(reverse("web:organization_settings", args=[organization.slug])).content.decode()
    client.post(url, {"action": "add_provider", "kind": "oidc", "enabled": "on", "name": "Keycloak",
                      "issuer": oidc_idp.issuer, "client_id": "anneal", "client_secret": "s3cret",
                      "scopes": "openid email profile", "role_mapping": "{}"})
    page = client.get(url).content.decode()
    provider = IdentityProvider.objects.get()
    assert f"/plugins/enterprise/sso/oidc/{provider.public_id}/callback/" in page
    assert "s3cret" not in page
    assert "sso.provider_created" in [e.type for e in captured_events]


def test_read_only_after_the_license_lapses(make_organization, monkeypatch):
    from anneal_enterprise import entitlements

    organization = make_organization()
    monkeypatch.setattr(entitlements, "state", lambda feature, organization=None: "read_only")
    with pytest.raises(ServiceError, match="lapsed"):
        config.add_domain(organization, "acme.test")


def test_sign_in_page_offers_no_sso_without_the_feature(make_organization, client):
    IdentityProvider.objects.create(organization=make_organization(), kind="oidc", name="IdP",
                                    issuer="https://idp.test", client_id="x")
    assert "Sign in with SSO" not in client.get(reverse("web:sign_in")).content.decode()
    page = client.get(reverse("enterprise:sso_sign_in")).content.decode()
    assert "feature-unavailable" in page or "data-plugin" in page


def test_entra_subject_is_tenant_and_object_id():
    from anneal_enterprise.sso.oidc import stable_subject

    assert stable_subject({"sub": "pairwise", "tid": "tenant", "oid": "object"}) == "tenant/object"
    assert stable_subject({"sub": "abc"}) == "abc"


def test_secrets_encrypted_under_an_old_key_need_the_fallback(settings):
    from anneal_enterprise.sso import secrets

    token = secrets.encrypt("client-secret")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-after-rotation"
    with pytest.raises(secrets.SecretUnreadable, match="ANNEAL_SECRET_KEY changed"):
        secrets.decrypt(token)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert secrets.decrypt(token) == "client-secret"


def test_discovery_with_another_issuer_is_refused(oidc_provider, oidc_idp, captured_events, client):
    provider = oidc_provider()
    IdentityProvider.objects.filter(pk=provider.pk).update(issuer=oidc_idp.issuer + "/")
    response = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    failure = [e for e in captured_events if e.type == "sso.sign_in_failed"][-1]
    assert "different issuer" in failure.data["reason"]


def test_saml_metadata_url_that_does_not_work_is_refused_with_a_reason(sso_licensed, make_organization):
    with pytest.raises(ServiceError, match="metadata URL does not work"):
        config.create_provider(make_organization(), "saml", name="ADFS",
                               idp_metadata_url="http://127.0.0.1:9/federationmetadata.xml")


def test_only_owners_change_the_enforcement_policy(oidc_provider, make_member, api_client_for):
    provider = oidc_provider()
    admin = make_member(provider.organization, "admin")
    url = API.format(slug=provider.organization.slug) + "policy/"
    assert api_client_for(admin).get(url).status_code == 200
    assert api_client_for(admin).post(url, {"enforce": True}, format="json").status_code == 403


def test_scim_is_refused_without_the_feature(anneal_plugin, make_organization):
    from core.plugins.manager import unregister_plugin

    from .conftest import SsoLicensed

    anneal_plugin(SsoLicensed(), name="sso-license-scim")
    organization = make_organization()
    _, value = config.create_scim_token(organization)
    unregister_plugin("sso-license-scim")
    response = Client().get("/api/v1/plugins/enterprise/sso/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {value}")
    assert response.status_code == 403 and "license" in response.json()["detail"]


def test_diagnostics_report_counts_only(oidc_provider):
    from core.plugins import hooks

    oidc_provider()
    collector = next(c for _, c in hooks.diagnostics() if c.id == "sso")
    assert collector.collect() == {"providers": {"oidc": 1}, "enforcing_organizations": 0, "active_scim_tokens": 0}
