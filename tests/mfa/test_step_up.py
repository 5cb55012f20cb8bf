"""Sensitive actions ask for a recent second factor again (step-up)."""

from __future__ import annotations

import pytest
from django.test import Client

from core.mfa import totp
from core.models import ApiToken, Passkey, TotpAuthenticator
from tests.mfa.conftest import current_code

pytestmark = pytest.mark.django_db


def step_up(client: Client, user, mfa_clock, next_url: str = "/tokens/"):
    return client.post("/sign-in/confirm/", {"factor": "totp", "code": current_code(user.totp_secret, mfa_clock),
                                             "next": next_url})


def test_a_fresh_second_factor_lets_a_token_be_created(totp_user, sign_in_with_totp):
    client = sign_in_with_totp(totp_user)
    response = client.post("/tokens/", {"name": "deploy"})
    assert response.status_code == 200 and ApiToken.objects.filter(user=totp_user, name="deploy").exists()


def test_an_old_session_replayed_later_is_asked_again(totp_user, sign_in_with_totp, mfa_clock, settings):
    client = sign_in_with_totp(totp_user)
    cookie = client.cookies["sessionid"].value
    mfa_clock.advance(settings.ANNEAL_MFA_STEP_UP_SECONDS + 1)
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.post("/tokens/", {"name": "stolen"}, HTTP_REFERER="http://testserver/tokens/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/confirm/?next=%2Ftokens%2F"
    assert not ApiToken.objects.filter(name="stolen").exists()
    mfa_clock.advance(totp.STEP)
    assert step_up(replay, totp_user, mfa_clock)["Location"] == "/tokens/"
    assert replay.post("/tokens/", {"name": "after-step-up"}).status_code == 200
    assert ApiToken.objects.filter(name="after-step-up").exists()


def test_a_session_started_without_the_second_factor_must_step_up(totp_user, web_client_for, mfa_clock):
    client = web_client_for(totp_user)  # e.g. a session from before MFA was set up
    assert client.post("/tokens/", {"name": "x"}).status_code == 302
    assert client.post("/profile/email/", {"email": "new@example.com"}).status_code == 302
    assert client.post("/profile/security/totp/remove/").status_code == 302
    totp_user.refresh_from_db()
    assert totp_user.email == "tess@example.com" and TotpAuthenticator.objects.filter(user=totp_user).exists()
    assert not ApiToken.objects.filter(user=totp_user).exists()


def test_the_step_up_refuses_a_reused_code(totp_user, sign_in_with_totp, mfa_clock, settings):
    client = sign_in_with_totp(totp_user)
    mfa_clock.advance(settings.ANNEAL_MFA_STEP_UP_SECONDS + 1)
    code = current_code(totp_user.totp_secret, mfa_clock)
    assert client.post("/sign-in/confirm/", {"factor": "totp", "code": code}).status_code == 302
    assert client.post("/sign-in/confirm/", {"factor": "totp", "code": code}).status_code == 400


def test_step_up_failures_count_towards_the_sign_in_limit(totp_user, web_client_for, settings):
    settings.ANNEAL_SIGN_IN_MAX_FAILURES = 3
    client = web_client_for(totp_user)
    statuses = [client.post("/sign-in/confirm/", {"factor": "totp", "code": "abcdef"}).status_code for _ in range(4)]
    assert statuses == [400, 400, 429, 429]


def test_email_change_after_step_up(totp_user, sign_in_with_totp, captured_events):
    client = sign_in_with_totp(totp_user)
    assert client.post("/profile/email/", {"email": "tess.new@example.com"})["Location"] == "/profile/"
    totp_user.refresh_from_db()
    assert totp_user.email == "tess.new@example.com"
    assert any(e.type == "user.updated" and e.diff.get("email") for e in captured_events)


def test_removing_a_factor_after_step_up_is_recorded(totp_user, sign_in_with_totp, captured_events):
    client = sign_in_with_totp(totp_user)
    client.post("/profile/security/totp/remove/")
    assert not TotpAuthenticator.objects.filter(user=totp_user).exists()
    assert not totp_user.recovery_codes.exists()  # with no factor left they would be a factor of their own
    removed = [e for e in captured_events if e.type == "mfa.factor_removed"]
    assert [e.data["factor"] for e in removed] == ["totp"]


def test_someone_without_a_second_factor_is_not_asked(make_user, web_client_for):
    user = make_user()
    client = web_client_for(user)
    assert client.post("/tokens/", {"name": "ci"}).status_code == 200


def test_the_api_asks_a_browser_session_but_not_a_token(totp_user, web_client_for, api_client_for):
    session_client = web_client_for(totp_user)
    response = session_client.post("/api/v1/tokens/", {"name": "from-session"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"
    token_client = api_client_for(totp_user)
    assert token_client.post("/api/v1/tokens/", {"name": "from-token"}, format="json").status_code == 201


def test_removing_someone_elses_passkey_is_a_404(totp_user, sign_in_with_totp, make_user):
    other = make_user()
    passkey = Passkey.objects.create(user=other, name="Theirs", credential_id="abc", public_key=b"k")
    client = sign_in_with_totp(totp_user)
    assert client.post(f"/profile/security/passkeys/{passkey.pk}/remove/").status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_adding_another_factor_asks_for_a_step_up(totp_user, web_client_for):
    from core.testing.webauthn import SoftAuthenticator

    client = web_client_for(totp_user)
    import json

    options = json.loads(client.post("/profile/security/passkeys/options/").content)
    answer = SoftAuthenticator("http://testserver", "testserver").register(options)
    response = client.post("/profile/security/passkeys/", {"name": "Mine?", "credential": json.dumps(answer)})
    assert response["Location"].startswith("/sign-in/confirm/") and not Passkey.objects.filter(user=totp_user).exists()
