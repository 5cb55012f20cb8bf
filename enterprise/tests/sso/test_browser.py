"""The sign-in flows in a real Chromium against the real identity providers."""

from __future__ import annotations

import pytest

from anneal_enterprise.sso import config
from core.models import Membership

from .conftest import add_verified_domain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_oidc_sign_in_in_the_browser_with_enforcement(page, live_server, settings, oidc_provider, oidc_idp,
                                                      make_organization, make_user):
    settings.BASE_URL = live_server.url
    organization = make_organization(name="Acme Browsers")
    provider = oidc_provider(organization=organization, role_mapping={"admins": "admin"})
    add_verified_domain(organization, "acme-browser.test")
    config.update_settings(organization, True, False, [])
    oidc_idp.set_account("zoe-sub", email="zoe@acme-browser.test", name="Zoe", groups=["admins"])

    page.goto("/sign-in/")
    page.get_by_role("link", name="Sign in with SSO").click()
    page.get_by_label("Work email or organization short name").fill("zoe@acme-browser.test")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{oidc_idp.issuer}/**")
    page.locator("input[name=login]").fill("zoe-sub")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Acme Browsers" in page.content()
    membership = Membership.objects.get(organization=organization, user__email="zoe@acme-browser.test")
    assert membership.role == "admin"
    page.goto(f"/o/{organization.slug}/")
    assert page.url.endswith(f"/o/{organization.slug}/")


def test_password_sign_in_is_refused_with_a_clear_message_when_sso_is_enforced(page, sso_licensed, make_organization,
                                                                              make_member):
    from anneal_enterprise.sso.models import IdentityProvider

    organization = make_organization(name="Strict Co")
    IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP", issuer="https://i.test",
                                    client_id="x")
    config.update_settings(organization, True, False, [])
    member = make_member(organization)
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    assert "Strict Co requires signing in with its identity provider" in page.content()


def test_saml_sign_in_in_the_browser_survives_the_cross_site_post(page, live_server, settings, saml_provider,
                                                                   saml_idp, make_organization):
    settings.BASE_URL = live_server.url
    organization = make_organization(name="Acme SAML")
    saml_provider(organization=organization, role_mapping={"admins": "admin"})
    saml_idp.user = ("saml-walt", {"email": ["walt@acme-saml.test"], "groups": ["admins"]})
    assert "127.0.0.1" in saml_idp.base and "localhost" in live_server.url  # two sites: the POST is cross-site

    page.goto("/sign-in/")
    page.get_by_role("link", name="Sign in with SSO").click()
    page.get_by_label("Work email or organization short name").fill(organization.slug)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{saml_idp.base}/sso**")
    page.get_by_role("button", name="Continue to the service").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Acme SAML" in page.content()
    assert Membership.objects.get(organization=organization, user__email="walt@acme-saml.test").role == "admin"
