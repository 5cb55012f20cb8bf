"""Fixtures for the MFA tests: a clock that tests move, users with factors, signing in step by step."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from django.test import Client

from core.mfa import clock, recovery, totp

PASSWORD = "correct horse battery"


class FakeClock:
    """Seconds since the epoch, moved by the test (``advance``)."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def mfa_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def enroll_totp(mfa_clock: FakeClock) -> Callable[[Any], str]:
    """``enroll_totp(user)``: set up an authenticator app as the app would; returns its secret."""

    def enroll(user: Any) -> str:
        authenticator = totp.start_enrollment(user)
        totp.confirm_enrollment(user, current_code(authenticator.secret, mfa_clock))
        mfa_clock.advance(totp.STEP)  # the next code is a fresh one
        return authenticator.secret

    return enroll


def current_code(secret: str, fake: FakeClock) -> str:
    return totp.code_at(secret, int(fake.now // totp.STEP))


@pytest.fixture
def totp_user(make_user: Callable[..., Any], enroll_totp: Callable[[Any], str]) -> Any:
    user = make_user(email="tess@example.com", password=PASSWORD)
    user.totp_secret = enroll_totp(user)
    user.recovery_codes_plain = recovery.generate(user)
    return user


def password_step(client: Client, user: Any, next_url: str = "") -> Any:
    return client.post("/sign-in/", {"email": user.email, "password": PASSWORD, "next": next_url})


def code_step(client: Client, code: str, factor: str = "totp") -> Any:
    field = "recovery_code" if factor == "recovery_code" else "code"
    return client.post("/sign-in/verify/", {"factor": factor, field: code})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def sign_in_with_totp(mfa_clock: FakeClock) -> Callable[[Any], Client]:
    """``sign_in_with_totp(user)``: a client that went through the password and the TOTP steps."""

    def sign_in(user: Any) -> Client:
        client = Client()
        password_step(client, user)
        response = code_step(client, current_code(user.totp_secret, mfa_clock))
        assert response.status_code == 302, response.content[:500]
        mfa_clock.advance(totp.STEP)
        return client

    return sign_in
