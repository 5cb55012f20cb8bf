"""Repeated failed password sign-ins are refused for a while, per account and per address."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from typing import Any

import pytest
from django.test import Client

from conftest import ROOT, child_environment
from core.services import sign_in_throttle

pytestmark = pytest.mark.django_db

PASSWORD = "right password 123"
ATTACKER = "203.0.113.5"
ELSEWHERE = "198.51.100.20"


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.ANNEAL_SIGN_IN_MAX_FAILURES = 3
    settings.ANNEAL_SIGN_IN_MAX_FAILURES_PER_ADDRESS = 5
    settings.ANNEAL_SIGN_IN_LOCKOUT = 600
    return settings


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(sign_in_throttle, "clock", fake)
    return fake


def sign_in(email: str, password: str, address: str = ATTACKER) -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/sign-in/", {"email": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_failure_that_reaches_the_limit_says_to_wait(limits, make_user):
    make_user("ann@example.com", PASSWORD)
    for _ in range(2):
        _, response = sign_in("ann@example.com", "guess")
        assert "The email address or password is wrong." in response.content.decode()
    _, response = sign_in("ann@example.com", "guess")
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 10 minutes." in response.content.decode()


def test_during_the_lock_even_the_right_password_is_refused(limits, make_user):
    make_user("ann@example.com", PASSWORD)
    for _ in range(3):
        sign_in("ann@example.com", "guess")
    client, response = sign_in("Ann@Example.com", PASSWORD, address=ELSEWHERE)  # the account is locked everywhere
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 10 minutes." in response.content.decode()
    assert not signed_in(client)


def test_after_the_lock_runs_out_the_right_password_works(limits, clock, make_user):
    make_user("ann@example.com", PASSWORD)
    for _ in range(3):
        sign_in("ann@example.com", "guess")
    clock.now += 599
    _, response = sign_in("ann@example.com", PASSWORD)
    assert "Try again in 1 minute." in response.content.decode()
    clock.now += 2
    client, response = sign_in("ann@example.com", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_lock_expires_by_itself_in_the_cache(limits, make_user):
    limits.ANNEAL_SIGN_IN_LOCKOUT = 1
    make_user("ann@example.com", PASSWORD)
    for _ in range(3):
        sign_in("ann@example.com", "guess")
    assert sign_in("ann@example.com", PASSWORD)[1].status_code == 429
    time.sleep(1.2)
    client, response = sign_in("ann@example.com", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_another_user_from_another_address_is_not_affected(limits, make_user):
    make_user("ann@example.com", PASSWORD)
    make_user("bob@example.com", PASSWORD)
    for _ in range(5):
        sign_in("ann@example.com", "guess")
    client, response = sign_in("bob@example.com", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)


def test_too_many_failures_from_one_address_refuse_every_account_from_it(limits, make_user):
    make_user("bob@example.com", PASSWORD)
    for number in range(5):  # a different account each time: no account reaches its own limit
        sign_in(f"victim{number}@example.com", "guess")
    client, response = sign_in("bob@example.com", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    client, response = sign_in("bob@example.com", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)


def test_a_successful_sign_in_does_not_reset_the_count_of_its_address(limits, make_user):
    make_user("mallory@example.com", PASSWORD)
    make_user("bob@example.com", PASSWORD)
    for number in range(4):
        sign_in(f"victim{number}@example.com", "guess")
    assert sign_in("mallory@example.com", PASSWORD)[1].status_code == 302  # a good password of their own
    _, response = sign_in("victim9@example.com", "guess")
    assert response.status_code == 429
    assert sign_in("bob@example.com", PASSWORD)[1].status_code == 429


def test_a_successful_sign_in_resets_its_own_account_count(limits, make_user):
    make_user("ann@example.com", PASSWORD)
    for _ in range(2):
        sign_in("ann@example.com", "typo", address=ELSEWHERE)
    assert sign_in("ann@example.com", PASSWORD, address=ELSEWHERE)[1].status_code == 302
    for _ in range(2):
        sign_in("ann@example.com", "typo", address=ELSEWHERE)
    assert sign_in("ann@example.com", PASSWORD, address=ELSEWHERE)[1].status_code == 302


def test_an_unknown_email_is_locked_the_same_way_so_the_lock_reveals_no_account(limits, make_user):
    make_user("ann@example.com", PASSWORD)
    known = [sign_in("ann@example.com", "guess", address=f"192.0.2.{n}")[1] for n in range(3)]
    unknown = [sign_in("nobody@example.com", "guess", address=f"192.0.2.{n + 10}")[1] for n in range(3)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [400, 400, 429]


def test_the_lock_emits_one_throttled_event_and_refused_attempts_are_recorded(limits, make_user, captured_events):
    make_user("ann@example.com", PASSWORD)
    for _ in range(4):
        sign_in("ann@example.com", "guess")
    (throttled,) = [e for e in captured_events if e.type == "user.sign_in_throttled"]
    assert throttled.data["scope"] == "account" and throttled.data["seconds"] == 600
    assert throttled.data["address"] == ATTACKER and throttled.ip == ATTACKER
    reasons = [e.data["reason"] for e in captured_events if e.type == "user.sign_in_failed"]
    assert reasons == ["wrong email or password"] * 3 + ["throttled (account)"]


def test_a_completed_password_reset_lifts_the_account_lock(limits, make_user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = make_user("ann@example.com", PASSWORD)
    for _ in range(3):
        sign_in("ann@example.com", "guess")
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page = client.get(f"/password/reset/{uid}/{default_token_generator.make_token(user)}/", follow=True)
    new = "a brand new password 456"
    response = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    client, response = sign_in("ann@example.com", new, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)


def test_the_django_admin_has_no_password_form_that_skips_the_throttle(limits, make_user):
    make_user("root@example.com", PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(3):
        sign_in("root@example.com", "guess")
    client = Client(REMOTE_ADDR=ELSEWHERE)
    response = client.post("/admin/login/?next=/admin/", {"username": "root@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=/admin/")
    assert not signed_in(client)


@pytest.mark.services
def test_failures_counted_by_another_process_lock_the_account_here(limits, make_user, monkeypatch):
    """Web processes share the count through Redis: guesses spread over processes add up."""
    prefix = f"anneal:test-{uuid.uuid4().hex}:sign-in"
    monkeypatch.setattr(sign_in_throttle, "KEY_PREFIX", prefix)
    make_user("ann@example.com", PASSWORD)
    code = (
        "import django; django.setup()\n"
        "from core.services import sign_in_throttle as throttle\n"
        f"throttle.KEY_PREFIX = {prefix!r}\n"
        "for _ in range(3):\n"
        f"    lock = throttle.record_failure('ann@example.com', {ATTACKER!r})\n"
        "print(lock.scope if lock else 'none')\n"
    )
    env = child_environment(DJANGO_SETTINGS_MODULE="core.settings", ANNEAL_SIGN_IN_MAX_FAILURES="3")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "account", result.stderr
    client, response = sign_in("ann@example.com", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 429 and not signed_in(client)


def test_behind_a_proxy_the_address_it_appended_is_counted_not_one_a_client_made_up(limits, make_user):
    limits.ANNEAL_CLIENT_IP_HEADER = "X-Forwarded-For"
    make_user("bob@example.com", PASSWORD)
    for number in range(5):  # the attacker varies the part of the header it controls
        Client(REMOTE_ADDR="10.0.0.2").post("/sign-in/", {"email": f"victim{number}@example.com", "password": "x"},
                                            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {ATTACKER}")
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.99, {ATTACKER}")
    assert attacker.post("/sign-in/", {"email": "bob@example.com", "password": PASSWORD}).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=ELSEWHERE)  # same proxy, other client
    assert colleague.post("/sign-in/", {"email": "bob@example.com", "password": PASSWORD}).status_code == 302


def test_without_the_proxy_setting_a_forwarded_address_is_ignored(limits, make_user):
    make_user("bob@example.com", PASSWORD)
    for number in range(5):
        Client(REMOTE_ADDR=ATTACKER).post("/sign-in/", {"email": f"victim{number}@example.com", "password": "x"},
                                          HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    client = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert client.post("/sign-in/", {"email": "bob@example.com", "password": PASSWORD}).status_code == 429
