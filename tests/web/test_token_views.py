"""Personal API tokens in the web UI: shown once, expiry, revoke, last use."""

import re
from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_works_on_the_api(web_client_for, make_user):
    user = make_user()
    client = web_client_for(user)
    response = client.post("/tokens/", {"name": "ci", "expires_at": ""})
    assert response["Cache-Control"] == "no-store"
    value = re.search(r'id="new-token">([^<]+)<', response.content.decode()).group(1)
    assert value.startswith("anl_")
    assert value not in client.get("/tokens/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert api.get("/api/v1/organizations/").status_code == 200
    row = re.search(r'<tr id="token-\d+">.*?</tr>', client.get("/tokens/").content.decode(), re.S).group(0)
    assert row.count("never") == 1  # it never expires, but it was used just now


def test_a_token_with_an_expiry_date_lists_it(web_client_for, make_user):
    client = web_client_for(make_user())
    day = (date.today() + timedelta(days=30)).isoformat()
    client.post("/tokens/", {"name": "deploy", "expires_at": day})
    assert day in client.get("/tokens/").content.decode()


@pytest.mark.parametrize("name, expires_at, message", [
    ("", "", b"Give the token a name"),
    ("x", "31/12/2030", b"Enter the expiry date as YYYY-MM-DD"),
    ("x", "2001-01-01", b"The expiry date must be in the future."),
    ("x" * 101, "", b"too long"),
])
def test_bad_token_input_is_refused_with_the_reason(web_client_for, make_user, name, expires_at, message):
    response = web_client_for(make_user()).post("/tokens/", {"name": name, "expires_at": expires_at})
    assert response.status_code == 400 and message in response.content
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working(web_client_for, make_user, captured_events):
    user = make_user()
    client = web_client_for(user)
    value = re.search(r'id="new-token">([^<]+)<', client.post("/tokens/", {"name": "ci"}).content.decode()).group(1)
    token = ApiToken.objects.get()
    response = client.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert b"Revoked the token ci." in response.content and b"revoked" in response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert api.get("/api/v1/organizations/").status_code == 401
    assert "token.revoked" in [e.type for e in captured_events]


def test_someone_elses_token_cannot_be_revoked(web_client_for, make_user, api_client_for):
    victim = make_user()
    api_client_for(victim)
    token = ApiToken.objects.get(user=victim)
    assert web_client_for(make_user()).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
