"""The sign-in's second step: nothing is signed in between the password and the second factor."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.mfa import session
from core.services import tokens
from tests.mfa.conftest import PASSWORD, code_step, current_code, password_step, signed_in

pytestmark = pytest.mark.django_db


def test_a_right_password_alone_does_not_sign_in_someone_with_a_second_factor(totp_user):
    client = Client()
    response = password_step(client, totp_user)
    assert response.status_code == 302 and response["Location"] == "/sign-in/verify/"
    assert not signed_in(client)
    assert "Authenticator app" in client.get("/sign-in/verify/").content.decode()


def test_the_right_code_signs_in_and_the_session_records_both_factors(totp_user, mfa_clock):
    client = Client()
    started = mfa_clock.now
    password_step(client, totp_user, next_url="/profile/")
    mfa_clock.advance(20)
    response = code_step(client, current_code(totp_user.totp_secret, mfa_clock))
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert signed_in(client)
    record = client.session[session.AUTH_KEY]
    assert [(f["type"], f["at"]) for f in record["factors"]] == [("password", started), ("totp", started + 20)]
    assert record["second_factor_at"] == started + 20


def test_a_wrong_code_is_refused_and_recorded(totp_user, mfa_clock, captured_events):
    client = Client()
    password_step(client, totp_user)
    wrong = "000000" if current_code(totp_user.totp_secret, mfa_clock) != "000000" else "111111"
    response = code_step(client, wrong)
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert not signed_in(client)
    failed = [e for e in captured_events if e.type == "mfa.second_factor_failed"]
    assert failed and failed[0].data["factor"] == "totp" and failed[0].target.display == totp_user.email


def test_a_code_used_for_one_sign_in_cannot_sign_in_again(totp_user, mfa_clock):
    code = current_code(totp_user.totp_secret, mfa_clock)
    first = Client()
    password_step(first, totp_user)
    code_step(first, code)
    assert signed_in(first)
    attacker = Client()  # saw the code over the shoulder, knows the password
    password_step(attacker, totp_user)
    assert code_step(attacker, code).status_code == 400
    assert not signed_in(attacker)


def test_guessing_codes_hits_the_sign_in_limit_and_drops_the_pending_sign_in(totp_user, mfa_clock, settings,
                                                                             captured_events):
    settings.ANNEAL_SIGN_IN_MAX_FAILURES = 5
    client = Client()
    password_step(client, totp_user)
    right = current_code(totp_user.totp_secret, mfa_clock)
    guesses = [f"{n:06d}" for n in range(100) if f"{n:06d}" != right][:5]
    statuses = [code_step(client, guess).status_code for guess in guesses]
    assert statuses == [400, 400, 400, 400, 302]  # the fifth starts the lock and ends the attempt
    assert not signed_in(client)
    assert code_step(client, right)["Location"] == "/sign-in/"  # nothing pending any more
    again = password_step(Client(), totp_user)  # the account is locked for password sign-ins too
    assert again.status_code == 429
    throttled = [e for e in captured_events if e.type == "user.sign_in_throttled"]
    assert throttled and throttled[0].data["method"] == "second_factor"


def test_a_recovery_code_signs_in_once(totp_user):
    code = totp_user.recovery_codes_plain[3]
    first = Client()
    password_step(first, totp_user)
    assert code_step(first, code.upper(), factor="recovery_code").status_code == 302
    assert signed_in(first)
    second = Client()
    password_step(second, totp_user)
    assert code_step(second, code, factor="recovery_code").status_code == 400
    assert not signed_in(second)


def test_the_second_step_expires_after_five_minutes(totp_user, mfa_clock):
    client = Client()
    password_step(client, totp_user)
    mfa_clock.advance(session.PENDING_SECONDS + 1)
    response = code_step(client, current_code(totp_user.totp_secret, mfa_clock))
    assert response["Location"] == "/sign-in/" and not signed_in(client)


def test_a_password_change_during_the_second_step_voids_it(totp_user, mfa_clock):
    from core.services import users

    client = Client()
    password_step(client, totp_user)
    users.set_password(totp_user, "another long password 42")
    response = code_step(client, current_code(totp_user.totp_secret, mfa_clock))
    assert response["Location"] == "/sign-in/" and not signed_in(client)


def test_an_answer_for_a_factor_the_person_does_not_have_is_refused(make_user, totp_user, mfa_clock):
    client = Client()
    password_step(client, totp_user)
    assert client.post("/sign-in/verify/", {"factor": "passkey", "credential": "{}"}).status_code == 400
    assert client.post("/sign-in/verify/", {"factor": "made-up", "code": "1"}).status_code == 400
    assert not signed_in(client)


def test_someone_without_a_second_factor_signs_in_with_the_password(make_user):
    user = make_user(password=PASSWORD)
    client = Client()
    response = password_step(client, user)
    assert response["Location"] == "/" and signed_in(client)
    assert [f["type"] for f in client.session[session.AUTH_KEY]["factors"]] == ["password"]


def _every_path() -> list[str]:
    """Every route of the site with its parameters filled in with plausible values."""
    paths: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                route = re.sub(r"<(?:int:)?[a-z_]*id>", "1", route)
                route = re.sub(r"<slug:[a-z_]+>", "acme", route)
                route = re.sub(r"<(?:str:|uuid:|path:)?[a-z_]+>", "x", route)
                route = route.replace("^", "").replace("$", "").replace("\\Z", "")
                if not re.search(r"[\\(\[?*+]", route):
                    paths.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_a_half_signed_in_session_reaches_no_page_or_api_as_the_user(totp_user, make_organization):
    make_organization(name="Acme", owner=totp_user)
    from core.models import Organization

    Organization.objects.filter(name="Acme").update(slug="acme")
    client = Client(raise_request_exception=False)
    password_step(client, totp_user)
    paths = _every_path()
    assert len(paths) > 40
    for path in paths:
        for method in (client.get, client.post):
            response = method(path)
            request = getattr(response, "wsgi_request", None)
            if request is not None and hasattr(request, "user"):
                assert not request.user.is_authenticated, f"{method.__name__.upper()} {path} saw the user"
            assert response.status_code != 200 or totp_user.email not in response.content.decode(), path
    assert not signed_in(client)


def test_api_tokens_are_not_asked_for_a_second_factor(totp_user, api_client_for):
    client = api_client_for(totp_user)
    assert client.get("/api/v1/organizations/").status_code == 200
    _, value = tokens.create_token(totp_user, "ci")
    response = Client().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer {value}")
    assert response.status_code == 200
