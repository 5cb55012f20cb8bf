"""The SSO settings tab's forms render through the form component: each provider's fields have
their own ids, a refused submission comes back (400) as typed with the error by its field and the
secret not sent back, the policy is a set of checkboxes, hostile input is refused with a message."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso.models import IdentityProvider, VerifiedDomain

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_providers(organization):
    return [IdentityProvider.objects.create(organization=organization, kind="oidc", name=name,
                                            issuer=f"https://{name.lower()}.example", client_id="abc")
            for name in ("Keycloak", "Okta")] + [
        IdentityProvider.objects.create(organization=organization, kind="saml", name="Entra",
                                        idp_metadata_url="https://entra.example/metadata.xml")]


def url_of(organization) -> str:
    return reverse("enterprise:sso_settings", args=[organization.slug])


def field_in(html: str, field_id: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    assert found, f"no field {field_id}"
    return found.group(0)


def test_no_two_fields_of_the_page_share_an_id_and_each_has_its_label(organization, owner_client, two_providers):
    html = owner_client.get(url_of(organization)).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(ids) > 60 and not [i for i, n in Counter(ids).items() if n > 1]
    for provider in two_providers:
        prefix = f"p{provider.public_id.hex}-"
        assert f'value="{provider.name}"' in field_in(html, f"{prefix}name")
        assert re.search(rf'<label for="{prefix}name">Name</label>', html)
        assert re.search(rf'<label for="{prefix}role_mapping">Role mapping \(JSON: IdP group to role\)', html)
        assert f'<label for="{prefix}enabled"><input type="checkbox" name="enabled" id="{prefix}enabled" checked> ' \
               f'Enabled</label>' in html
    keycloak = f"p{two_providers[0].public_id.hex}-"
    assert 'aria-describedby="' + keycloak + 'client_secret_helptext"' in field_in(html, f"{keycloak}client_secret")
    assert re.search(rf'<div class="field-help" id="{keycloak}client_secret_helptext">Not set yet', html)
    entra = f"p{two_providers[2].public_id.hex}-"
    assert re.search(rf'<fieldset class="field choices"[^>]*>\s*<legend>IdP metadata</legend>\s*<div id="{entra}metadata_source">',
                     html)
    assert "checked" in field_in(html, f"{entra}metadata_source_0")
    assert '<option value="member" selected>member</option>' in html


def test_the_add_forms_have_their_own_ids_and_defaults(organization, owner_client):
    html = owner_client.get(url_of(organization)).content.decode()
    assert 'value="openid email profile"' in field_in(html, "add-oidc-scopes")
    assert 'placeholder="Okta"' in field_in(html, "add-oidc-name") and 'required' in field_in(html, "add-oidc-name")
    assert 'value="email"' in field_in(html, "add-saml-email_attribute")
    assert "checked" in field_in(html, "add-oidc-enabled") and "checked" in field_in(html, "add-saml-enabled")
    assert re.search(r'<label for="add-oidc-default_role">Default role \(for people in no mapped group\)</label>', html)


def test_a_refused_add_form_comes_back_typed_with_the_error_by_its_field_and_no_secret(organization, owner_client):
    response = owner_client.post(url_of(organization), {
        "action": "add_provider", "kind": "oidc", "name": "Okta", "issuer": "not a url", "client_id": "abc",
        "client_secret": "s3cret", "scopes": "openid", "groups_attribute": "roles", "role_mapping": "{}",
        "default_role": "viewer"})
    html = response.content.decode()
    assert response.status_code == 400 and not IdentityProvider.objects.exists()
    issuer = field_in(html, "add-oidc-issuer")
    assert 'value="not a url"' in issuer and 'aria-invalid="true"' in issuer
    assert re.search(r'<div class="form-error" id="add-oidc-issuer_error" role="alert">The issuer is the provider', html)
    assert 'value="roles"' in field_in(html, "add-oidc-groups_attribute")
    assert "checked" not in field_in(html, "add-oidc-enabled")  # it was not ticked
    assert "s3cret" not in html
    assert '<option value="viewer" selected>viewer</option>' in html
    assert 'id="add-saml-name_error"' not in html and "form-error" not in field_in(html, "add-saml-name")


def test_a_refused_edit_shows_the_error_in_that_providers_form_only(organization, owner_client, two_providers):
    keycloak, okta, _ = two_providers
    response = owner_client.post(url_of(organization), {
        "action": "update_provider", "id": str(okta.public_id), "name": "Okta renamed", "issuer": okta.issuer,
        "client_id": "abc", "scopes": "openid", "role_mapping": "{not json", "default_role": "member"})
    html = response.content.decode()
    assert response.status_code == 400
    prefix = f"p{okta.public_id.hex}-"
    assert re.search(rf'<div class="form-error" id="{prefix}role_mapping_error" role="alert">The role mapping is JSON',
                     html)
    assert 'value="{not json"' in field_in(html, f"{prefix}role_mapping")
    assert 'value="Okta renamed"' in field_in(html, f"{prefix}name")
    assert html.count('class="form-error"') == 1
    assert f'value="{keycloak.name}"' in field_in(html, f"p{keycloak.public_id.hex}-name")
    okta.refresh_from_db()
    assert okta.name == "Okta"


def test_the_policy_is_a_set_of_checkboxes_and_a_refusal_shows_by_its_box(organization, owner_client, owner):
    html = owner_client.get(url_of(organization)).content.decode()
    assert re.search(r'<label for="sso-policy-enforce"><input type="checkbox" name="enforce" id="sso-policy-enforce"> '
                     r'Require SSO', html)
    assert re.search(r'<fieldset class="field choices"[^>]*>\s*<legend>Break-glass owners \(may still use a password\)'
                     r' <span class="muted">\(optional\)</span></legend>', html)
    assert re.search(rf'<input type="checkbox" name="break_glass" value="{owner.pk}"[^>]*>\s*owner@example.com</label>',
                     html)
    response = owner_client.post(url_of(organization), {"action": "settings", "enforce": "on",
                                                        "break_glass": [str(owner.pk)]})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="sso-policy-enforce_error" role="alert">Add and enable an identity provider', html)
    assert "checked" in field_in(html, "sso-policy-enforce")
    assert "checked" in field_in(html, "sso-policy-break_glass_0")


def test_a_refused_domain_keeps_what_was_typed(organization, owner_client):
    response = owner_client.post(url_of(organization), {"action": "add_domain", "domain": "not a domain"})
    html = response.content.decode()
    assert response.status_code == 400 and not VerifiedDomain.objects.exists()
    assert re.search(r'<label for="sso-domain">Email domain</label>', html)
    assert 'value="not a domain"' in field_in(html, "sso-domain") and 'id="sso-domain_error"' in html


def test_a_nul_character_is_refused_with_a_message_not_a_server_error(organization, owner_client):
    response = owner_client.post(url_of(organization), {"action": "add_provider", "kind": "oidc",
                                                        "name": "Ok\x00ta", "issuer": "https://okta.example"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_sign_in_with_sso_names_its_field_and_says_by_it_when_nothing_matches(db):
    page = Client().get(reverse("enterprise:sso_sign_in")).content.decode()
    assert '<label for="id_entry">Work email or organization short name</label>' in page
    response = Client().post(reverse("enterprise:sso_sign_in"), {"entry": "nobody@nowhere.test"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="nobody@nowhere.test"' in field_in(html, "id_entry")
    assert re.search(r'id="id_entry_error" role="alert">No organization with single sign-on matches', html)
