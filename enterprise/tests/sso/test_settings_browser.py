"""Setting up SSO in a real Chromium, finding every field by its label: an OIDC provider added in one
go (redirect URI known before saving, roles and attributes on the add form), and a SAML provider
switched to an uploaded metadata file."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from anneal_enterprise.sso.models import IdentityProvider
from core.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settings_path(organization) -> str:
    return f"/plugins/enterprise/sso/o/{organization.slug}/settings/"


def test_an_admin_adds_an_oidc_provider_with_roles_and_attributes_knowing_its_redirect_uri_first(
        page, sign_in_page, sso_licensed, make_user, make_organization, oidc_issuer):
    owner = make_user(email="owner@example.com")
    organization = make_organization(name="Acme", owner=owner)
    sign_in_page(page, owner).goto(settings_path(organization))
    heading = page.get_by_role("heading", name="Add an OpenID Connect provider")
    shown = heading.locator("xpath=following-sibling::dl[1]")
    redirect_uri = shown.locator("dt", has_text="Sign-in redirect URI").locator("xpath=following-sibling::dd[1]").inner_text()
    assert "/plugins/enterprise/sso/oidc/" in redirect_uri and redirect_uri.endswith("/callback/")

    form = heading.locator("xpath=following-sibling::form[1]")
    form.get_by_label("Name", exact=True).fill("Keycloak")
    form.get_by_label("Issuer").fill(oidc_issuer)
    form.get_by_label("Client id").fill("anneal")
    form.get_by_label("Client secret").fill("issued-after-the-redirect-uri")
    form.get_by_label("Groups attribute").fill("roles")
    form.get_by_label("Role mapping").fill('{"admins": "admin"}')
    form.get_by_label("Default role").select_option("viewer")
    form.get_by_role("button", name="Add provider").click()

    expect(page.locator("details.provider", has_text="Keycloak")).to_contain_text(redirect_uri)
    provider = IdentityProvider.objects.get()
    assert (provider.enabled, provider.groups_attribute, provider.role_mapping, provider.default_role) == (
        True, "roles", {"admins": "admin"}, "viewer")
    assert provider.client_secret_encrypted and redirect_uri.endswith(f"/oidc/{provider.public_id}/callback/")


def test_an_admin_switches_a_saml_provider_to_an_uploaded_metadata_file(
        page, sign_in_page, saml_provider, saml_idp, make_user, tmp_path):
    provider = saml_provider()
    owner = make_user(email="owner@example.com")
    Membership.objects.create(organization=provider.organization, user=owner, role="owner")
    metadata = tmp_path / "idp.xml"
    metadata.write_text(requests.get(saml_idp.metadata_url, timeout=10).text)

    sign_in_page(page, owner).goto(settings_path(provider.organization))
    edit = page.locator("details.provider", has_text=provider.name)
    edit.get_by_label("Uploaded XML").check()
    edit.get_by_label("Metadata XML file").set_input_files(str(metadata))
    with page.expect_navigation():
        edit.get_by_role("button", name="Save").click()
    provider.refresh_from_db()
    assert provider.idp_metadata_url == "" and provider.idp_metadata_xml == metadata.read_text()
