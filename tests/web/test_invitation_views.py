"""Opening an invitation link: sign up as a new user, accept as an existing one, refusals."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Membership, User
from core.services import invitations

pytestmark = pytest.mark.django_db
PASSWORD = "violet staple orbit"


@pytest.fixture
def invited(organization, owner):
    invitation, token = invitations.invite(organization, "newbie@example.com", "member", owner)
    return invitation, f"/invitations/{token}/"


def test_a_new_person_creates_an_account_from_the_link_and_joins(invited, captured_events):
    invitation, url = invited
    client = Client()
    page = client.get(url).content.decode()
    assert "Create your account" in page and "newbie@example.com" in page
    response = client.post(url, {"name": "New Bie", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == f"/o/{invitation.organization.slug}/"
    user = User.objects.get(email="newbie@example.com")
    assert user.name == "New Bie" and user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == "member"
    assert client.get(response["Location"]).status_code == 200  # signed in
    types = [e.type for e in captured_events]
    assert types.index("user.created") < types.index("invitation.accepted") < types.index("user.signed_in")


@pytest.mark.parametrize("password1, password2, message", [
    ("", "", b"Choose a password."),
    (PASSWORD, PASSWORD + "x", b"The two passwords differ"),
    ("12345678", "12345678", b"too common"),
])
def test_a_bad_sign_up_creates_nothing(invited, password1, password2, message):
    _, url = invited
    response = Client().post(url, {"name": "x", "password1": password1, "password2": password2})
    assert response.status_code == 400 and message in response.content
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_someone_with_an_account_is_asked_to_sign_in_not_to_sign_up(invited, make_user):
    make_user(email="newbie@example.com")
    _, url = invited
    page = Client().get(url).content.decode()
    assert "Create your account" not in page and "Sign in as newbie@example.com" in page
    response = Client().post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(email="newbie@example.com").count() == 1


def test_the_invited_user_accepts_when_signed_in(invited, make_user, web_client_for):
    invitation, url = invited
    client = web_client_for(make_user(email="newbie@example.com"))
    response = client.post(url)
    assert response["Location"] == f"/o/{invitation.organization.slug}/"
    assert Membership.objects.filter(user__email="newbie@example.com").exists()


def test_another_signed_in_user_cannot_accept(invited, make_user, web_client_for):
    _, url = invited
    client = web_client_for(make_user(email="intruder@example.com"))
    assert "this invitation is for newbie@example.com" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400 and b"sign in with that address" in response.content
    assert not Membership.objects.filter(user__email="intruder@example.com").exists()


@pytest.mark.parametrize("change, status", [
    ({"revoked_at": timezone.now()}, "revoked"),
    ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
    ({"accepted_at": timezone.now()}, "accepted"),
])
def test_a_used_up_invitation_says_so_and_creates_nothing(invited, change, status):
    invitation, url = invited
    for field, value in change.items():
        setattr(invitation, field, value)
    invitation.save()
    response = Client().post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert f"This invitation is {status}.".encode() in response.content
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_a_made_up_invitation_link_is_404(db):
    response = Client().get("/invitations/not-a-real-token/")
    assert response.status_code == 404 and b"This invitation link is not valid." in response.content


def test_the_sign_up_form_is_the_form_component_with_labelled_fields(invited):
    _, url = invited
    html = Client().get(url).content.decode()
    assert '<label for="id_email">Email</label>' in html  # shown, not filled in: not "optional"
    assert re.search(r'<input type="email" name="email" value="newbie@example.com"[^>]*disabled', html)
    assert '<label for="id_name">Name <span class="muted">(optional)</span></label>' in html
    assert '<label for="id_password1">Password</label>' in html and '<label for="id_password2">Password again</label>' in html
    assert 'aria-describedby="id_password1_helptext"' in html and "not a common password" in html


def test_a_refused_sign_up_shows_the_reason_by_the_password_and_keeps_the_name(invited):
    _, url = invited
    response = Client().post(url, {"name": "New Bie", "password1": "12345678", "password2": "12345678"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<div class="form-error" id="id_password1_error" role="alert">[^<]*too common', html)
    assert re.search(r'<input type="password" name="password1"[^>]*aria-invalid="true"', html)
    assert 'value="New Bie"' in html and 'value="12345678"' not in html  # passwords are never sent back
    differ = Client().post(url, {"password1": PASSWORD, "password2": PASSWORD + "x"}).content.decode()
    assert re.search(r'id="id_password2_error" role="alert">The two passwords differ', differ)


def test_the_email_of_a_sign_up_is_the_invitations_whatever_is_posted(invited):
    invitation, url = invited
    Client().post(url, {"email": "someone@else.example", "password1": PASSWORD, "password2": PASSWORD})
    assert User.objects.filter(email="newbie@example.com").exists()
    assert not User.objects.filter(email="someone@else.example").exists()


@pytest.mark.parametrize("body, message", [
    ("name=Bie%00&password1=x&password2=x", "NUL character"),
    ("name=" + "x" * 151 + f"&password1={PASSWORD}&password2={PASSWORD}", "at most 150 characters"),
])
def test_hostile_sign_ups_are_refused_with_a_clear_400(invited, body, message):
    _, url = invited
    response = Client().post(url, body.replace(" ", "+"), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and message in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()
