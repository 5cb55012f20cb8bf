"""SSO enforcement through ``anneal_authentication_policy``: passwords, sessions, tokens, break-glass."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso import config
from anneal_enterprise.sso.models import IdentityProvider
from core.models import Membership

from .conftest import SsoLicensed, callback_path

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def enforcing_organization(make_organization: Any, owner: Any = None, **policy: Any) -> Any:
    organization = make_organization(owner=owner)
    IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP", issuer="https://idp.test",
                                    client_id="x")
    config.update_settings(organization, enforce=True, require_for_tokens=policy.get("tokens", False),
                           break_glass=policy.get("break_glass", []))
    return organization


def password_sign_in(client: Client, email: str) -> Any:
    return client.post(reverse("web:sign_in"), {"email": email, "password": PASSWORD}, follow=True)


def test_password_sign_in_is_refused_for_members_of_an_enforcing_organization(sso_licensed, make_organization,
                                                                             make_member, captured_events):
    organization = enforcing_organization(make_organization)
    member = make_member(organization)
    client = Client()
    response = password_sign_in(client, member.email)
    assert "_auth_user_id" not in client.session
    assert "requires signing in with its identity provider" in response.content.decode()
    failure = [e for e in captured_events if e.type == "user.sign_in_failed"][-1]
    assert "identity provider" in failure.data["reason"]


def test_members_of_other_organizations_keep_password_sign_in(sso_licensed, make_organization, make_member):
    enforcing_organization(make_organization)
    outsider = make_member(make_organization())
    client = Client()
    password_sign_in(client, outsider.email)
    assert int(client.session["_auth_user_id"]) == outsider.pk


def test_break_glass_owner_keeps_password_sign_in(sso_licensed, make_organization, make_user):
    owner = make_user()
    enforcing_organization(make_organization, owner=owner, break_glass=[owner])
    client = Client()
    password_sign_in(client, owner.email)
    assert int(client.session["_auth_user_id"]) == owner.pk


def test_break_glass_needs_the_owner_role(sso_licensed, make_organization, make_user):
    owner = make_user()
    organization = enforcing_organization(make_organization, owner=owner, break_glass=[owner])
    Membership.objects.filter(user=owner).update(role="admin")
    Membership.objects.create(organization=organization, user=make_user(), role="owner")
    client = Client()
    password_sign_in(client, owner.email)
    assert "_auth_user_id" not in client.session


def test_only_owners_can_be_named_break_glass(sso_licensed, make_organization, make_member):
    from core.services.errors import ServiceError

    organization = enforcing_organization(make_organization)
    admin = make_member(organization, role="admin")
    with pytest.raises(ServiceError, match="only owners"):
        config.update_settings(organization, True, False, [admin])


def test_existing_password_session_ends_when_enforcement_starts(sso_licensed, make_organization, make_member):
    organization = make_organization()
    IdentityProvider.objects.create(organization=organization, kind="oidc", name="IdP", issuer="https://i.test",
                                    client_id="x")
    member = make_member(organization)
    client = Client()
    password_sign_in(client, member.email)
    assert client.get(reverse("web:organizations")).status_code == 200
    config.update_settings(organization, True, False, [])
    response = client.get(reverse("web:organizations"), follow=True)
    assert response.redirect_chain[0][0] == reverse("web:sign_in")
    assert "session has ended" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sso_session_survives_enforcement(oidc_provider, oidc_idp):
    provider = oidc_provider()
    config.update_settings(provider.organization, True, False, [])
    oidc_idp.set_account("enforced-sso", email="enforced@acme.test")
    client = Client()
    start = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))["Location"]
    client.get(callback_path(oidc_idp.sign_in(start, "enforced-sso")))
    assert client.get(reverse("web:organization", args=[provider.organization.slug])).status_code == 200


def test_api_tokens_keep_working_unless_sso_is_required_for_them(sso_licensed, make_organization, make_member,
                                                                api_client_for):
    organization = enforcing_organization(make_organization)
    member = make_member(organization)
    api = api_client_for(member)
    assert api.get("/api/v1/me/").status_code == 200
    config.update_settings(organization, True, True, [])
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "requires SSO for API tokens" in response.json()["detail"]


def test_password_sign_in_is_restored_when_the_license_lapses(anneal_plugin, make_organization, make_member):
    licence = SsoLicensed()
    anneal_plugin(licence, name="sso-license")
    organization = enforcing_organization(make_organization)
    member = make_member(organization)
    client = Client()
    password_sign_in(client, member.email)
    assert "_auth_user_id" not in client.session
    from core.plugins.manager import unregister_plugin

    unregister_plugin("sso-license")
    password_sign_in(client, member.email)
    assert int(client.session["_auth_user_id"]) == member.pk
