"""Passkeys at the protocol level, with a software authenticator: origin, challenge, counter."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core.mfa import passkeys
from core.models import Passkey
from core.testing.webauthn import SoftAuthenticator
from tests.mfa.conftest import PASSWORD, password_step, signed_in

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = ORIGIN


def register(client: Client, key: SoftAuthenticator, name: str = "My key", origin: str | None = None):
    options = json.loads(client.post("/profile/security/passkeys/options/").content)
    answer = key.register(options, origin=origin)
    return client.post("/profile/security/passkeys/", {"name": name, "credential": json.dumps(answer)})


def second_step_options(client: Client) -> dict:
    page = client.get("/sign-in/verify/").content.decode()
    raw = page.split('data-passkey-get="')[1].split('"')[0]
    import html

    return json.loads(html.unescape(raw))


@pytest.fixture
def key() -> SoftAuthenticator:
    return SoftAuthenticator(ORIGIN, "testserver")


@pytest.fixture
def passkey_user(make_user, web_client_for, key):
    user = make_user(email="pat@example.com", password=PASSWORD)
    response = register(web_client_for(user), key)
    assert response.status_code == 200, response.content[:300]  # the recovery codes page
    return user


def test_a_registered_passkey_is_stored_with_its_public_key_and_counter(passkey_user, key, captured_events):
    passkey = Passkey.objects.get(user=passkey_user)
    assert passkey.name == "My key" and passkey.discoverable and passkey.transports == ["usb"]
    assert passkey.sign_count == 0 and bytes(passkey.public_key)


def test_registration_for_another_origin_is_refused(make_user, web_client_for):
    user = make_user()
    response = register(web_client_for(user), SoftAuthenticator("https://evil.example", "testserver"),
                        origin="https://evil.example")
    assert response.status_code == 302 and not Passkey.objects.filter(user=user).exists()


def test_the_passkey_is_asked_after_the_password_and_signs_in(passkey_user, key):
    client = Client()
    assert password_step(client, passkey_user)["Location"] == "/sign-in/verify/"
    answer = key.assert_(second_step_options(client))
    response = client.post("/sign-in/verify/", {"factor": "passkey", "credential": json.dumps(answer)})
    assert response.status_code == 302 and signed_in(client)
    assert Passkey.objects.get(user=passkey_user).sign_count == 1


def test_an_assertion_for_another_origin_is_refused(passkey_user, key):
    client = Client()
    password_step(client, passkey_user)
    answer = key.assert_(second_step_options(client), origin="https://phishing.example")
    response = client.post("/sign-in/verify/", {"factor": "passkey", "credential": json.dumps(answer)})
    assert response.status_code == 400 and not signed_in(client)


def test_a_replayed_assertion_is_refused(passkey_user, key):
    client = Client()
    password_step(client, passkey_user)
    answer = json.dumps(key.assert_(second_step_options(client)))
    assert client.post("/sign-in/verify/", {"factor": "passkey", "credential": answer}).status_code == 302
    attacker = Client()
    password_step(attacker, passkey_user)
    second_step_options(attacker)  # a fresh challenge, which the old answer does not sign
    assert attacker.post("/sign-in/verify/", {"factor": "passkey", "credential": answer}).status_code == 400
    assert not signed_in(attacker)


def test_a_cloned_key_with_an_old_counter_is_refused(passkey_user, key):
    Passkey.objects.filter(user=passkey_user).update(sign_count=10)
    client = Client()
    password_step(client, passkey_user)
    answer = key.assert_(second_step_options(client))  # counter 1 < 10
    assert client.post("/sign-in/verify/", {"factor": "passkey", "credential": json.dumps(answer)}).status_code == 400


def test_sign_in_with_a_passkey_alone(passkey_user, key):
    client = Client()
    options = json.loads(client.post("/sign-in/passkey/options/").content)
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    response = client.post("/sign-in/passkey/", {"credential": json.dumps(key.assert_(options))})
    assert response.status_code == 302 and signed_in(client)
    types = [f["type"] for f in client.session["anneal_auth"]["factors"]]
    assert types == ["passkey"] and client.session["anneal_auth"]["second_factor_at"] is not None


def test_sign_in_with_a_passkey_needs_user_verification(passkey_user, key):
    key.user_verified = False
    client = Client()
    options = json.loads(client.post("/sign-in/passkey/options/").content)
    response = client.post("/sign-in/passkey/", {"credential": json.dumps(key.assert_(options))})
    assert response["Location"] == "/sign-in/" and not signed_in(client)


def test_garbage_answers_are_refused_with_a_message(passkey_user):
    client = Client()
    client.post("/sign-in/passkey/options/")
    for garbage in ["", "null", "[]", "{", '{"id": 1}', "x" * 70000]:
        response = client.post("/sign-in/passkey/", {"credential": garbage}, follow=True)
        assert not signed_in(client)
        assert "passkey" in response.content.decode().lower()


def test_a_passkey_cannot_be_registered_twice(passkey_user, key, web_client_for):
    response = register(web_client_for(passkey_user), key, name="Again")
    assert response.status_code == 302 and Passkey.objects.filter(user=passkey_user).count() == 1


def test_rp_id_and_origin_come_from_the_base_url(settings):
    settings.BASE_URL = "https://anneal.example.com:8443"
    assert passkeys.rp_id() == "anneal.example.com"
    assert passkeys.expected_origin() == "https://anneal.example.com:8443"


def test_a_damaged_stored_credential_id_does_not_break_the_ceremonies(passkey_user, key, web_client_for):
    Passkey.objects.create(user=passkey_user, name="Damaged", credential_id="not base64!", public_key=b"k")
    client = web_client_for(passkey_user)
    options = json.loads(client.post("/profile/security/passkeys/options/").content)
    assert len(options["excludeCredentials"]) == 1
    fresh = Client()
    password_step(fresh, passkey_user)
    assert len(second_step_options(fresh)["allowCredentials"]) == 1
