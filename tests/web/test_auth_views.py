"""Sign-in, sign-out, password change and password reset through the web UI."""

import re

import pytest
from django.test import Client

from core.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet staple orbit"


def test_signing_in_with_the_right_password_opens_the_organization_list(make_user):
    make_user(email="ada@example.com")
    client = Client()
    response = client.post("/sign-in/", {"email": "Ada@Example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message_and_the_email_kept(make_user):
    make_user(email="ada@example.com")
    response = Client().post("/sign-in/", {"email": "ada@example.com", "password": "nope"})
    assert response.status_code == 400
    assert b"The email address or password is wrong." in response.content
    assert b'value="ada@example.com"' in response.content


def test_sign_in_follows_next_within_the_site(make_user):
    make_user(email="ada@example.com")
    response = Client().post("/sign-in/?next=/tokens/", {"email": "ada@example.com", "password": PASSWORD})
    assert response["Location"] == "/tokens/"


@pytest.mark.parametrize("next_url", ["https://evil.example/steal", "//evil.example/", "javascript:alert(1)",
                                      "/\\evil.example/"])
def test_sign_in_never_redirects_off_the_site(make_user, next_url):
    make_user(email="ada@example.com")
    response = Client().post("/sign-in/", {"email": "ada@example.com", "password": PASSWORD, "next": next_url})
    assert response["Location"] == "/"


def test_pages_need_a_signed_in_user_and_send_others_to_sign_in(db):
    response = Client().get("/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=/tokens/")


def test_signing_out_needs_a_post_and_ends_the_session(web_client_for, make_user):
    client = web_client_for(make_user())
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").status_code == 302
    assert client.get("/tokens/").status_code == 302


def test_changing_the_password_emits_password_changed_and_keeps_the_session(web_client_for, make_user,
                                                                            captured_events):
    user = make_user()
    client = web_client_for(user)
    response = client.post("/password/change/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                  "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert [e.type for e in captured_events].count("user.password_changed") == 1
    assert client.get("/profile/").status_code == 200


def test_a_wrong_current_password_does_not_change_it(web_client_for, make_user, captured_events):
    user = make_user()
    response = web_client_for(user).post("/password/change/", {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert "user.password_changed" not in [e.type for e in captured_events]


def test_a_weak_new_password_is_refused_with_the_reason(web_client_for, make_user):
    response = web_client_for(make_user()).post("/password/change/", {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert b"too common" in response.content


def _reset_link(mailoutbox) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/)", mailoutbox[-1].body).group(1)


def test_password_reset_mails_a_link_that_sets_a_new_password_once(make_user, mailoutbox, captured_events):
    user = make_user(email="ada@example.com")
    response = Client().post("/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert mailoutbox[-1].to == ["ada@example.com"]
    assert mailoutbox[-1].subject == "Reset your Anneal password"
    client = Client()
    form_url = client.get(_reset_link(mailoutbox)).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "user.password_changed" in [e.type for e in captured_events]
    again = Client().get(_reset_link(mailoutbox), follow=True)
    assert b"This link is no longer valid" in again.content


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(db, mailoutbox):
    response = Client().post("/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_a_tampered_reset_link_is_refused(make_user):
    make_user(email="ada@example.com")
    response = Client().get("/password/reset/MQ/bogus-token/", follow=True)
    assert b"This link is no longer valid" in response.content


def test_the_profile_saves_the_name_and_refuses_one_too_long(web_client_for, make_user, captured_events):
    user = make_user()
    client = web_client_for(user)
    assert client.post("/profile/", {"name": "Ada Lovelace"}).status_code == 302
    assert User.objects.get(pk=user.pk).name == "Ada Lovelace"
    assert "user.updated" in [e.type for e in captured_events]
    response = client.post("/profile/", {"name": "x" * 151})
    assert response.status_code == 400 and b"too long" in response.content


def test_a_form_without_its_csrf_token_is_refused_with_an_explanation(make_user):
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"email": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert b"This form expired" in response.content
