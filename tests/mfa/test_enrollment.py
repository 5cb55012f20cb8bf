"""Setting up an authenticator app through the pages, as a person would."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core.mfa import totp
from core.models import TotpAuthenticator
from tests.mfa.conftest import PASSWORD, current_code, password_step, signed_in

pytestmark = pytest.mark.django_db


def test_a_person_sets_up_an_app_gets_recovery_codes_and_is_asked_next_time(make_user, web_client_for, mfa_clock,
                                                                             captured_events):
    user = make_user(password=PASSWORD)
    client = web_client_for(user)
    page = client.get("/profile/security/totp/")
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "<svg" in html and 'name="code"' in html and '<label for="id_code">' in html
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    shown = client.post("/profile/security/totp/", {"code": current_code(secret, mfa_clock)})
    assert shown.status_code == 200 and "shown only once" in shown.content.decode()
    assert len(re.findall(r"<li><code>[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}</code></li>",
                          shown.content.decode())) == 10
    assert totp.is_enrolled(user)
    assert [e.data["factor"] for e in captured_events if e.type == "mfa.factor_added"] == ["totp"]

    mfa_clock.advance(30)
    fresh = Client()
    assert password_step(fresh, user)["Location"] == "/sign-in/verify/"
    fresh.post("/sign-in/verify/", {"factor": "totp", "code": current_code(secret, mfa_clock)})
    assert signed_in(fresh)


def test_a_wrong_first_code_keeps_the_app_off(make_user, web_client_for):
    user = make_user()
    client = web_client_for(user)
    client.get("/profile/security/totp/")
    response = client.post("/profile/security/totp/", {"code": "12345"})
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert not totp.is_enrolled(user) and TotpAuthenticator.objects.filter(user=user).exists()


def test_the_person_is_emailed_when_a_factor_is_added_or_removed(make_user, mfa_clock, mailoutbox, jobs_in_process,
                                                                 django_capture_on_commit_callbacks):
    user = make_user(email="told@example.com")
    authenticator = totp.start_enrollment(user)
    with django_capture_on_commit_callbacks(execute=True):
        totp.confirm_enrollment(user, current_code(authenticator.secret, mfa_clock))
    with django_capture_on_commit_callbacks(execute=True):
        totp.remove(user)
    assert [m.to for m in mailoutbox] == [["told@example.com"], ["told@example.com"]]
    assert "An authenticator app was set up on your Anneal account told@example.com" in mailoutbox[0].body
    assert "Your authenticator app was removed" in mailoutbox[1].body
