"""Enterprise MFA: the identity provider must assert MFA (OIDC amr/acr, SAML AuthnContextClassRef),
SSO sign-ins are not asked for a local factor, phishing-resistant only, the AAGUID allowlist."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso import mfa_policy
from anneal_enterprise.sso.models import MfaPolicy
from core.mfa import totp
from core.models import Membership, Passkey, User
from core.services.errors import ServiceError
from core.testing.webauthn import SoftAuthenticator

from .conftest import callback_path
from .test_saml import ATTRIBUTES, authn_request, post

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
YUBIKEY = "cb69481e-8ff7-4039-93ec-0a2729a154a8"
OTHER_MODEL = "ee882879-721c-4913-9775-3dfcce97072a"


def oidc_sign_in(client: Client, idp: Any, provider: Any, login: str) -> Any:
    start = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))["Location"]
    return client.get(callback_path(idp.sign_in(start, login)), follow=True)


def failures(captured_events: list[Any]) -> list[str]:
    return [e.data["reason"] for e in captured_events if e.type == "sso.sign_in_failed"]


def test_an_sso_sign_in_is_not_asked_for_a_local_second_factor(oidc_provider, oidc_idp, make_user):
    provider = oidc_provider()
    user = make_user(email="tom@acme.test", password=PASSWORD)
    from anneal_enterprise.sso.models import ExternalIdentity

    ExternalIdentity.objects.create(provider=provider, user=user, subject="tom-1")
    authenticator = totp.start_enrollment(user)
    totp.confirm_enrollment(user, totp.code_at(authenticator.secret, int(__import__("time").time() // 30)))
    oidc_idp.set_account("tom-1", email="tom@acme.test")
    client = Client()
    response = oidc_sign_in(client, oidc_idp, provider, "tom-1")
    assert response.redirect_chain[-1][0] == reverse("web:organizations")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert [f["type"] for f in client.session["anneal_auth"]["factors"]] == ["external"]
    # Step-up still asks for the local factor the person has, before a sensitive action.
    assert client.post("/tokens/", {"name": "x"})["Location"].startswith("/sign-in/confirm/")


def test_a_provider_that_must_assert_mfa_refuses_a_password_only_sign_in(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider(require_mfa=True)
    oidc_idp.set_account("pwd-only", email="pat@acme.test", amr=["pwd"])
    client = Client()
    response = oidc_sign_in(client, oidc_idp, provider, "pwd-only")
    page = response.content.decode()
    assert "requires that your identity provider (Test IdP) confirms a second factor" in page
    assert "_auth_user_id" not in client.session and not User.objects.filter(email="pat@acme.test").exists()
    assert failures(captured_events)[-1] == "the identity provider asserted no MFA (amr=['pwd'] acr=none)"


def test_a_provider_without_amr_or_acr_is_refused_too(oidc_provider, oidc_idp):
    provider = oidc_provider(require_mfa=True)
    oidc_idp.set_account("silent", email="sil@acme.test")
    client = Client()
    oidc_sign_in(client, oidc_idp, provider, "silent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("asserted", [{"amr": ["mfa"]}, {"amr": ["pwd", "otp"]}, {"amr": ["hwk", "pin"]},
                                      {"acr": "https://refeds.org/profile/mfa"}])
def test_mfa_asserted_by_amr_or_acr_signs_in(oidc_provider, oidc_idp, asserted):
    provider = oidc_provider(require_mfa=True)
    oidc_idp.set_account("mfa-ok", email="ok@acme.test", **asserted)
    client = Client()
    oidc_sign_in(client, oidc_idp, provider, "mfa-ok")
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="ok@acme.test").pk


def test_the_accepted_acr_values_are_configurable_per_provider(oidc_provider, oidc_idp):
    provider = oidc_provider(require_mfa=True, mfa_values="urn:acme:loa:3\nurn:acme:loa:4")
    oidc_idp.set_account("loa2", email="loa2@acme.test", acr="urn:acme:loa:2")
    oidc_idp.set_account("loa3", email="loa3@acme.test", acr="urn:acme:loa:3")
    refused, accepted = Client(), Client()
    oidc_sign_in(refused, oidc_idp, provider, "loa2")
    oidc_sign_in(accepted, oidc_idp, provider, "loa3")
    assert "_auth_user_id" not in refused.session and "_auth_user_id" in accepted.session
    other = oidc_provider(require_mfa=False)
    oidc_sign_in(Client(), oidc_idp, other, "loa2")  # another provider of the same IdP, not requiring it


def test_saml_authn_context_decides(saml_provider, saml_idp, captured_events):
    provider = saml_provider(require_mfa=True)
    client = Client()
    weak, _ = saml_idp.response(authn_request(client, provider), "persistent-sam", ATTRIBUTES)
    response = post(client, provider, weak)
    assert response["Location"] == reverse("enterprise:sso_sign_in") and "_auth_user_id" not in client.session
    assert "PasswordProtectedTransport" in failures(captured_events)[-1]
    strong, _ = saml_idp.response(authn_request(client, provider), "persistent-sam", ATTRIBUTES,
                                  authn_context="https://refeds.org/profile/mfa")
    assert post(client, provider, strong)["Location"] == reverse("web:organizations")
    assert "_auth_user_id" in client.session


# --- Phishing-resistant only and the AAGUID allowlist -----------------------------------------


@pytest.fixture
def origin(settings):
    settings.BASE_URL = "http://testserver"
    return "http://testserver"


def register(client: Client, key: SoftAuthenticator, name: str = "Key") -> Any:
    options = json.loads(client.post("/profile/security/passkeys/options/").content)
    return client.post("/profile/security/passkeys/", {"name": name, "credential": json.dumps(key.register(options))})


@pytest.fixture
def acme(sso_licensed, make_organization, make_user, web_client_for, origin):
    owner = make_user(email="owner@acme.test", password=PASSWORD)
    organization = make_organization(name="Acme", owner=owner)
    owner.key = SoftAuthenticator(origin, "testserver", aaguid=YUBIKEY)
    register(web_client_for(owner), owner.key)
    organization.owner = owner
    return organization


def test_an_owner_without_a_passkey_cannot_switch_on_phishing_resistant_only(sso_licensed, make_organization,
                                                                              make_user):
    owner = make_user()
    organization = make_organization(owner=owner)
    with pytest.raises(ServiceError, match="passkey or security key for yourself first"):
        mfa_policy.update(organization, owner, True, [])


def test_phishing_resistant_only_refuses_an_authenticator_app(acme, make_member, captured_events):
    mfa_policy.update(acme, acme.owner, True, [])
    assert any(e.type == "mfa.requirement_changed" and e.data.get("policy") == "enterprise" for e in captured_events)
    MfaPolicy.objects.filter(organization=acme).update(enabled_at="2000-01-01T00:00:00Z")
    member = make_member(acme, "member", password=PASSWORD)
    Membership.objects.filter(user=member).update(created_at="2000-01-01T00:00:00Z")
    import time

    authenticator = totp.start_enrollment(member)
    totp.confirm_enrollment(member, totp.code_at(authenticator.secret, int(time.time() // 30)))
    client = Client()
    client.post("/sign-in/", {"email": member.email, "password": PASSWORD})
    page = client.get("/sign-in/verify/").content.decode()
    assert "Authenticator app" in page  # the only factor they have: asked, but it does not satisfy the policy
    code = totp.code_at(authenticator.secret, int(time.time() // 30) + 1)
    client.post("/sign-in/verify/", {"factor": "totp", "code": code})
    assert client.get("/")["Location"] == "/profile/security/"
    key = SoftAuthenticator("http://testserver", "testserver")
    assert register(client, key).status_code == 200
    assert client.get("/").status_code == 200


def test_the_aaguid_allowlist_refuses_other_models(acme, make_member, web_client_for):
    mfa_policy.update(acme, acme.owner, True, [YUBIKEY])
    member = make_member(acme, "member")
    client = web_client_for(member)
    response = register(client, SoftAuthenticator("http://testserver", "testserver", aaguid=OTHER_MODEL))
    assert response.status_code == 302 and not Passkey.objects.filter(user=member).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("allows only the security key models it lists" in m for m in messages)
    assert register(client, SoftAuthenticator("http://testserver", "testserver", aaguid=YUBIKEY)).status_code == 200
    assert Passkey.objects.get(user=member).aaguid == YUBIKEY


def test_an_allowlist_the_owner_does_not_meet_is_refused(acme):
    with pytest.raises(ServiceError, match="lock yourself out"):
        mfa_policy.update(acme, acme.owner, True, [OTHER_MODEL])
    with pytest.raises(ServiceError, match="is not an AAGUID"):
        mfa_policy.update(acme, acme.owner, False, ["not-a-uuid"])


def test_without_the_license_the_policy_is_not_enforced(make_organization, make_user, anneal_plugin):
    owner = make_user()
    organization = make_organization(owner=owner)
    MfaPolicy.objects.create(organization=organization, phishing_resistant_only=True, allowed_aaguids=[YUBIKEY])
    assert mfa_policy.requirements(owner) == [] and mfa_policy.passkey_refusal(owner, OTHER_MODEL) is None


def test_the_policy_page_is_for_owners_and_asks_for_a_step_up(acme, make_member, web_client_for):
    admin = make_member(acme, "admin")
    page = reverse("enterprise:mfa_policy", args=[acme.slug])
    assert web_client_for(admin).post(page, {"phishing_resistant_only": "on"}).status_code == 403
    owner_session = web_client_for(acme.owner)  # no recent second factor in this session
    response = owner_session.post(page, {"phishing_resistant_only": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/")
    assert not MfaPolicy.objects.filter(organization=acme, phishing_resistant_only=True).exists()


# --- Step-up on the enterprise's sensitive pages ----------------------------------------------


def test_installing_a_license_and_changing_sso_settings_ask_for_a_step_up(acme, make_user, web_client_for,
                                                                          settings):
    from anneal_enterprise.licensing.models import LicenseKey

    staff = make_user(is_staff=True)
    register(web_client_for(staff), SoftAuthenticator("http://testserver", "testserver"))
    stale = web_client_for(staff)  # a session whose second factor is not recent
    response = stale.post("/plugins/enterprise/license/", {"key": "anything"})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/")
    assert not LicenseKey.objects.exists()
    api = stale.put("/api/v1/plugins/enterprise/license/", {"key": "anything"}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "step_up_required"

    owner = web_client_for(acme.owner)
    sso_page = reverse("enterprise:sso_settings", args=[acme.slug])
    response = owner.post(sso_page, {"action": "settings", "enforce": "on"})
    assert response["Location"].startswith("/sign-in/confirm/")
    from anneal_enterprise.sso.models import SsoSettings

    assert not SsoSettings.objects.filter(organization=acme, enforce=True).exists()


def test_after_a_passkey_step_up_the_sso_settings_change(acme, origin):
    client = Client()
    options = json.loads(client.post("/sign-in/passkey/options/").content)
    client.post("/sign-in/passkey/", {"credential": json.dumps(acme.owner.key.assert_(options))})
    response = client.post(reverse("enterprise:sso_settings", args=[acme.slug]),
                           {"action": "add_domain", "domain": "acme.test"})
    assert response["Location"] == reverse("enterprise:sso_settings", args=[acme.slug])
    from anneal_enterprise.sso.models import VerifiedDomain

    assert VerifiedDomain.objects.filter(organization=acme, domain="acme.test").exists()
