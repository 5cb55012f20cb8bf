"""OpenID Connect sign-in against a real ``oidc-provider`` on localhost."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from anneal_enterprise.sso.models import ExternalIdentity
from core.models import Membership, User

from .conftest import add_verified_domain, callback_path, query

pytestmark = pytest.mark.django_db


def start(client: Client, provider: Any) -> str:
    response = client.get(reverse("enterprise:sso_oidc_start", args=[provider.public_id]))
    assert response.status_code == 302, response.content
    return response["Location"]


def sign_in(client: Client, idp: Any, provider: Any, login: str) -> Any:
    return client.get(callback_path(idp.sign_in(start(client, provider), login)))


def last_failure(captured_events: list[Any]) -> str:
    failures = [e for e in captured_events if e.type == "sso.sign_in_failed"]
    assert failures, [e.type for e in captured_events]
    return failures[-1].data["reason"]


def test_first_sign_in_creates_the_user_and_membership_and_emits_events(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider(default_role="member")
    oidc_idp.set_account("alice-1", email="alice@acme.test", name="Alice Liddell", groups=["staff"])
    client = Client()
    response = sign_in(client, oidc_idp, provider, "alice-1")
    assert response.status_code == 302 and response["Location"] == reverse("web:organizations")
    user = User.objects.get(email="alice@acme.test")
    assert user.name == "Alice Liddell" and not user.has_usable_password()
    assert Membership.objects.get(user=user, organization=provider.organization).role == "member"
    assert ExternalIdentity.objects.get(provider=provider).subject == "alice-1"
    types = [e.type for e in captured_events]
    assert {"user.created", "membership.created", "sso.signed_in", "user.signed_in"} <= set(types)
    assert client.get(reverse("web:organization", args=[provider.organization.slug])).status_code == 200


def test_sign_in_changes_are_attributed_to_the_identity_provider(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider(name="Okta", role_mapping={"admins": "admin"})
    oidc_idp.set_account("amy-1", email="amy@acme.test", name="Amy", groups=["staff"])
    sign_in(Client(), oidc_idp, provider, "amy-1")
    oidc_idp.set_account("amy-1", email="amy@acme.test", name="Amy", groups=["admins"])
    sign_in(Client(), oidc_idp, provider, "amy-1")
    caused = [e for e in captured_events if e.type in {"user.created", "membership.created", "membership.role_changed"}]
    assert {e.type for e in caused} == {"user.created", "membership.created", "membership.role_changed"}
    assert all(e.actor.kind == "sso" and e.actor.id == "sso:Okta" and "OpenID Connect" in e.actor.display
               for e in caused), [(e.type, e.actor) for e in caused]
    signed_in = [e for e in captured_events if e.type == "user.signed_in"]
    assert signed_in and all(e.data["backend"] == "anneal_enterprise.sso.backends.SsoBackend" for e in signed_in)
    assert all(e.data["protocol"] == "oidc" for e in captured_events if e.type == "sso.signed_in")


def test_authorization_request_uses_pkce_state_and_nonce(oidc_provider, client):
    url = start(client, oidc_provider())
    params = query(url)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] and params["nonce"] and params["response_type"] == "code"


def test_identity_is_keyed_on_subject_not_email(oidc_provider, oidc_idp):
    provider = oidc_provider()
    oidc_idp.set_account("stable-sub", email="old@acme.test")
    sign_in(Client(), oidc_idp, provider, "stable-sub")
    oidc_idp.set_account("stable-sub", email="renamed@acme.test")
    sign_in(Client(), oidc_idp, provider, "stable-sub")
    assert User.objects.filter(email="old@acme.test").exists()
    assert not User.objects.filter(email="renamed@acme.test").exists()


def test_existing_account_is_not_linked_when_the_domain_is_not_verified(oidc_provider, oidc_idp, make_user,
                                                                        captured_events):
    make_user(email="bob@elsewhere.test")
    provider = oidc_provider()
    oidc_idp.set_account("attacker", email="bob@elsewhere.test")
    client = Client()
    response = sign_in(client, oidc_idp, provider, "attacker")
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert not ExternalIdentity.objects.exists()
    assert "domain is not verified" in last_failure(captured_events)
    assert "_auth_user_id" not in client.session


def test_existing_account_is_not_linked_while_the_domain_is_pending(oidc_provider, oidc_idp, make_user,
                                                                   captured_events):
    from anneal_enterprise.sso import config

    make_user(email="dave@acme.test")
    provider = oidc_provider()
    config.add_domain(provider.organization, "acme.test")  # claimed, its TXT record never verified
    oidc_idp.set_account("dave-sub", email="dave@acme.test")
    client = Client()
    response = sign_in(client, oidc_idp, provider, "dave-sub")
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert not ExternalIdentity.objects.exists()
    assert "domain is not verified" in last_failure(captured_events)
    assert "_auth_user_id" not in client.session


def test_existing_account_is_linked_when_the_domain_is_verified(oidc_provider, oidc_idp, make_user):
    existing = make_user(email="carol@acme.test")
    provider = oidc_provider()
    add_verified_domain(provider.organization, "acme.test")
    oidc_idp.set_account("carol-sub", email="carol@acme.test")
    client = Client()
    sign_in(client, oidc_idp, provider, "carol-sub")
    assert ExternalIdentity.objects.get(provider=provider).user == existing
    assert int(client.session["_auth_user_id"]) == existing.pk


@pytest.mark.parametrize("mode, reason", [
    ("aud", "wrong audience"),
    ("iss", "wrong issuer"),
    ("exp", "has expired"),
    ("none", "not signed"),
])
def test_bad_id_tokens_are_refused(oidc_provider, oidc_idp, captured_events, mode, reason):
    provider = oidc_provider()
    oidc_idp.set_account(f"victim-{mode}", email=f"victim-{mode}@acme.test")
    client = Client()
    callback = oidc_idp.sign_in(start(client, provider), f"victim-{mode}")
    oidc_idp.tamper_next_id_token(mode)
    response = client.get(callback_path(callback))
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert reason in last_failure(captured_events)
    assert not User.objects.filter(email=f"victim-{mode}@acme.test").exists()


def test_bad_state_is_refused(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider()
    client = Client()
    callback = oidc_idp.sign_in(start(client, provider), "someone")
    params = query(callback)
    response = client.get(reverse("enterprise:sso_oidc_callback", args=[provider.public_id]),
                          {"code": params["code"], "state": "forged-state"})
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "state" in last_failure(captured_events)


def test_callback_in_another_browser_is_refused(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider()
    callback = oidc_idp.sign_in(start(Client(), provider), "someone")
    response = Client().get(callback_path(callback))
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "state" in last_failure(captured_events)


def test_replayed_callback_and_replayed_code_are_refused(oidc_provider, oidc_idp, captured_events):
    provider = oidc_provider()
    oidc_idp.set_account("replay", email="replay@acme.test")
    client = Client()
    callback = oidc_idp.sign_in(start(client, provider), "replay")
    assert client.get(callback_path(callback))["Location"] == reverse("web:organizations")
    other = Client()
    assert other.get(callback_path(callback))["Location"] == reverse("enterprise:sso_sign_in")
    # The same code with a fresh, valid state: the identity provider refuses the used code.
    fresh_state = query(start(other, provider))["state"]
    response = other.get(reverse("enterprise:sso_oidc_callback", args=[provider.public_id]),
                         {"code": query(callback)["code"], "state": fresh_state})
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "refused the authorization code" in last_failure(captured_events)
    assert "_auth_user_id" not in other.session


def test_idp_error_is_reported(oidc_provider, captured_events):
    provider = oidc_provider()
    client = Client()
    state = query(start(client, provider))["state"]
    response = client.get(reverse("enterprise:sso_oidc_callback", args=[provider.public_id]),
                          {"error": "access_denied", "error_description": "User cancelled", "state": state})
    assert response["Location"] == reverse("enterprise:sso_sign_in")
    assert "access_denied" in last_failure(captured_events)
