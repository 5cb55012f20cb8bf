"""Password and token sign-in, the authentication policy hook, and sign-in events."""

import pytest

from core.plugins import Refusal, hookimpl

pytestmark = pytest.mark.django_db


def test_signing_in_with_the_right_password_starts_a_session_and_emits_an_event(client, make_user, captured_events):
    make_user("ann@example.com", "right password 123")
    response = client.post("/sign-in/", {"email": "ann@example.com", "password": "right password 123"})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["email"] == "ann@example.com"
    assert "user.signed_in" in [e.type for e in captured_events]


def test_a_wrong_password_is_refused_with_a_clear_message_and_an_event(client, make_user, captured_events):
    make_user("ann@example.com", "right password 123")
    response = client.post("/sign-in/", {"email": "ann@example.com", "password": "nope"}, follow=True)
    assert "The email address or password is wrong." in response.content.decode()
    (failure,) = [e for e in captured_events if e.type == "user.sign_in_failed"]
    assert failure.data["reason"] == "wrong email or password"


def test_signing_out_emits_an_event(client, make_user, captured_events):
    user = make_user()
    client.force_login(user)
    client.post("/sign-out/")
    assert "user.signed_out" in [e.type for e in captured_events]


class RefuseEveryone:
    def __init__(self, methods):
        self.methods = methods

    @hookimpl
    def anneal_authentication_policy(self, user, method):
        if method in self.methods:
            return Refusal(f"Sign in through your company's SSO ({method} refused).")
        return None


def test_the_policy_hook_can_refuse_a_password_sign_in_with_its_reason(client, make_user, anneal_plugin):
    make_user("ann@example.com", "right password 123")
    anneal_plugin(RefuseEveryone({"password"}))
    response = client.post("/sign-in/", {"email": "ann@example.com", "password": "right password 123"}, follow=True)
    assert "Sign in through your company&#x27;s SSO (password refused)." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_policy_hook_can_refuse_an_api_token(make_user, api_client_for, anneal_plugin):
    client = api_client_for(make_user())
    anneal_plugin(RefuseEveryone({"token"}))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "token refused" in response.json()["detail"]


def test_the_policy_hook_can_end_an_existing_session(client, make_user, anneal_plugin):
    client.force_login(make_user())
    anneal_plugin(RefuseEveryone({"session"}))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    assert client.get("/api/v1/me/").status_code == 401


def test_a_policy_hook_that_raises_fails_closed(make_user, api_client_for, anneal_plugin):
    client = api_client_for(make_user())

    class Broken:
        @hookimpl
        def anneal_authentication_policy(self, user, method):
            raise RuntimeError("policy store down")

    anneal_plugin(Broken())
    with pytest.raises(RuntimeError):
        client.get("/api/v1/me/")


def test_revoked_and_expired_tokens_are_refused(make_user):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.test import APIClient

    from core.models import ApiToken
    from core.services.tokens import create_token, revoke_token

    user = make_user()
    revoked, revoked_value = create_token(user, "old")
    revoke_token(revoked)
    expired, expired_value = create_token(user, "short", timezone.now() + timedelta(minutes=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for value in (revoked_value, expired_value, "anl_not-a-token", ""):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
        assert client.get("/api/v1/me/").status_code == 401


def test_a_token_is_stored_only_as_a_hash_and_records_its_last_use(make_user, api_client_for):
    from core.models import ApiToken

    user = make_user()
    client = api_client_for(user)
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is None
    assert client.get("/api/v1/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert len(token.token_hash) == 64 and not token.token_hash.startswith("anl_")


def test_a_new_token_is_shown_once_and_never_listed_again(make_user, api_client_for):
    client = api_client_for(make_user())
    created = client.post("/api/v1/tokens/", {"name": "deploy"}, format="json").json()
    assert created["token"].startswith("anl_")
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert all("token" not in row for row in listed)
