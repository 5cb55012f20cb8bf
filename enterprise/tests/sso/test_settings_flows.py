"""Setting up SSO from the settings tab the way an admin does it, without a detour through the API."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso.models import IdentityProvider
from core.models import Membership, User

from .conftest import callback_path

pytestmark = pytest.mark.django_db


def settings_url(organization) -> str:
    return reverse("enterprise:sso_settings", args=[organization.slug])


def shown_urls(page: str, block_id: str) -> dict[str, str]:
    block = re.search(rf'<dl id="{block_id}">(.*?)</dl>', page, re.S).group(1)
    return dict(re.findall(r"<dt>(.*?)</dt><dd><code>(.*?)</code></dd>", block))


def test_the_oidc_redirect_uri_is_shown_before_the_provider_exists_and_signs_in(
        organization, owner_client, oidc_idp, outbound_allow):
    outbound_allow("127.0.0.1")
    page = owner_client.get(settings_url(organization)).content.decode()
    redirect_uri = shown_urls(page, "add-oidc-urls")["Sign-in redirect URI"]
    assert re.fullmatch(r"http://\S+/plugins/enterprise/sso/oidc/[0-9a-f-]{36}/callback/", redirect_uri)
    assert shown_urls(owner_client.get(settings_url(organization)).content.decode(),
                      "add-oidc-urls")["Sign-in redirect URI"] == redirect_uri  # a reload keeps it

    client_id, client_secret = oidc_idp.register_client(redirect_uri)  # what the IdP admin does with it
    owner_client.post(settings_url(organization), {
        "action": "add_provider", "kind": "oidc", "enabled": "on", "name": "Keycloak", "issuer": oidc_idp.issuer,
        "client_id": client_id, "client_secret": client_secret, "scopes": "openid email profile groups",
        "email_attribute": "email", "name_attribute": "name", "groups_attribute": "groups",
        "role_mapping": '{"admins": "admin"}', "default_role": "viewer"})

    provider = IdentityProvider.objects.get()
    assert (provider.enabled, provider.role_mapping, provider.default_role) == (True, {"admins": "admin"}, "viewer")
    assert redirect_uri.endswith(f"/oidc/{provider.public_id}/callback/")
    next_page = owner_client.get(settings_url(organization)).content.decode()
    assert shown_urls(next_page, "add-oidc-urls")["Sign-in redirect URI"] != redirect_uri  # the next provider's

    oidc_idp.set_account("ada-1", email="ada@acme.test", name="Ada", groups=["admins"])
    person = Client()
    start = person.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))["Location"]
    assert person.get(callback_path(oidc_idp.sign_in(start, "ada-1"))).status_code == 302
    assert Membership.objects.get(user=User.objects.get(email="ada@acme.test")).role == "admin"


def test_a_refused_add_form_keeps_what_was_typed_and_the_redirect_uri(organization, owner_client):
    before = shown_urls(owner_client.get(settings_url(organization)).content.decode(), "add-oidc-urls")
    refused = owner_client.post(settings_url(organization), {
        "action": "add_provider", "kind": "oidc", "name": "Okta", "issuer": "not a url", "client_id": "abc",
        "client_secret": "s3cret", "groups_attribute": "roles", "role_mapping": "{}"}, follow=True)
    page = refused.content.decode()
    assert "The issuer is the provider" in html_lib.unescape(page)
    assert 'value="Okta"' in page and 'value="abc"' in page and 'value="roles"' in page
    assert "s3cret" not in page
    assert shown_urls(page, "add-oidc-urls") == before
    assert not IdentityProvider.objects.exists()


def test_a_provider_added_without_its_secret_waits_disabled(organization, owner_client, oidc_idp, outbound_allow):
    outbound_allow("127.0.0.1")
    page = owner_client.post(settings_url(organization), {
        "action": "add_provider", "kind": "oidc", "enabled": "on", "name": "Okta", "issuer": oidc_idp.issuer,
        "client_id": "abc", "client_secret": ""}, follow=True).content.decode()
    provider = IdentityProvider.objects.get()
    assert not provider.enabled and not provider.client_secret_encrypted
    assert "disabled: enter the client secret" in page


def test_the_saml_add_form_shows_the_acs_url_first_and_takes_attributes(organization, owner_client, saml_idp,
                                                                        outbound_allow):
    outbound_allow("127.0.0.1")
    urls = shown_urls(owner_client.get(settings_url(organization)).content.decode(), "add-saml-urls")
    owner_client.post(settings_url(organization), {
        "action": "add_provider", "kind": "saml", "enabled": "on", "name": "Entra", "metadata_source": "url",
        "idp_metadata_url": saml_idp.metadata_url, "email_attribute": "mail", "name_attribute": "displayName",
        "groups_attribute": "memberOf", "role_mapping": '{"ops": "admin"}', "default_role": "viewer"})
    provider = IdentityProvider.objects.get()
    assert urls["ACS URL (reply URL)"].endswith(f"/saml/{provider.public_id}/acs/")
    assert urls["SP entity ID (audience)"].endswith(f"/saml/{provider.public_id}/metadata/")
    assert (provider.email_attribute, provider.name_attribute, provider.groups_attribute, provider.role_mapping,
            provider.default_role) == ("mail", "displayName", "memberOf", {"ops": "admin"}, "viewer")


def test_the_saml_edit_form_switches_to_uploaded_metadata_xml(saml_provider, saml_idp, owner, owner_client):
    provider = saml_provider()
    Membership.objects.create(organization=provider.organization, user=owner, role="owner")
    xml = requests.get(saml_idp.metadata_url, timeout=10).text
    public_id = provider.public_id
    owner_client.post(settings_url(provider.organization), {
        "action": "update_provider", "id": str(public_id), "name": provider.name, "metadata_source": "xml",
        "idp_metadata_file": SimpleUploadedFile("idp.xml", xml.encode(), "application/xml"),
        "email_attribute": "email", "groups_attribute": "groups", "role_mapping": "{}", "default_role": "member",
        "enabled": "on"})
    provider.refresh_from_db()
    assert provider.idp_metadata_url == "" and provider.idp_metadata_xml == xml
    assert provider.public_id == public_id  # its ACS URL, registered at the IdP, still works


def test_garbage_metadata_xml_is_refused_with_a_reason_and_changes_nothing(saml_provider, owner, owner_client):
    provider = saml_provider()
    Membership.objects.create(organization=provider.organization, user=owner, role="owner")
    before = (provider.idp_metadata_url, provider.idp_metadata_xml)
    page = owner_client.post(settings_url(provider.organization), {
        "action": "update_provider", "id": str(provider.public_id), "name": provider.name, "metadata_source": "xml",
        "idp_metadata_xml": "<html>this is a login page</html>", "role_mapping": "{}", "default_role": "member",
        "enabled": "on"}, follow=True).content.decode()
    assert "That is not usable IdP metadata" in html_lib.unescape(page)
    provider.refresh_from_db()
    assert (provider.idp_metadata_url, provider.idp_metadata_xml) == before


def test_the_sso_page_keeps_the_settings_heading_and_tab_and_says_where_links_come_from(organization, owner_client,
                                                                                        settings):
    settings.BASE_URL, settings.BASE_URL_SOURCE = "http://127.0.0.1:8123", "serving address"
    page = owner_client.get(settings_url(organization)).content.decode()
    assert re.search(r"<h1>Settings</h1>", page)
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', page)
    assert set(current) == {"Settings", "SSO"}  # the organization tab and the settings section
    assert "ANNEAL_BASE_URL is not set: links use http://127.0.0.1:8123" in page
    assert "http://127.0.0.1:8123/api/v1/plugins/enterprise/sso/scim/v2" in page


def test_the_api_adds_a_provider_without_its_secret_and_answers_its_urls_first(
        organization, owner, api_client_for, oidc_idp, outbound_allow):
    outbound_allow("127.0.0.1")
    api = api_client_for(owner)
    base = f"/api/v1/plugins/enterprise/sso/organizations/{organization.slug}/providers/"
    created = api.post(base, {"kind": "oidc", "name": "Okta", "issuer": oidc_idp.issuer, "client_id": "abc",
                              "enabled": False}, format="json")
    assert created.status_code == 201, created.content
    redirect_uri = created.json()["urls"]["Sign-in redirect URI"]
    assert redirect_uri.endswith(f"/oidc/{created.json()['id']}/callback/") and not created.json()["client_secret_set"]
    patched = api.patch(f"{base}{created.json()['id']}/", {"client_secret": "s3cret", "enabled": True}, format="json")
    assert patched.json()["client_secret_set"] and patched.json()["urls"]["Sign-in redirect URI"] == redirect_uri
