"""MFA in a real headless Chromium: an authenticator app, and passkeys through Chromium's virtual
authenticator (DevTools protocol ``WebAuthn.enable`` / ``WebAuthn.addVirtualAuthenticator``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from core.mfa import clock, totp
from core.models import Passkey, TotpAuthenticator

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


class SteppingClock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mfa_clock(monkeypatch: pytest.MonkeyPatch) -> SteppingClock:
    fake = SteppingClock()
    monkeypatch.setattr(clock, "now", fake)  # the live server runs in this process
    return fake


@pytest.fixture
def relying_party(settings: Any, live_server: Any) -> str:
    settings.BASE_URL = live_server.url  # http://localhost:<port>: a secure context for WebAuthn
    return live_server.url


@pytest.fixture
def authenticator(page: Any) -> dict[str, Any]:
    """A virtual platform authenticator with user verification and resident keys, on this page."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    created = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return {"cdp": cdp, "id": created["authenticatorId"]}


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def password_step(page: Any, email: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def add_passkey(page: Any, name: str) -> None:
    page.goto("/profile/security/")
    page.get_by_label("Name of this passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()


def test_enroll_an_authenticator_app_and_sign_in_with_it(page, sign_in_page, make_user, relying_party, mfa_clock):
    user = make_user(email="tina@example.com", password=PASSWORD)
    sign_in_page(page, user)
    page.goto("/profile/")
    page.get_by_role("link", name="Second factors (MFA)").click()
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(totp.code_at(secret, int(mfa_clock.now // 30)))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert TotpAuthenticator.objects.get(user=user).confirmed_at is not None

    page.get_by_role("link", name="I saved them").click()
    sign_out(page)
    mfa_clock.now += 30
    password_step(page, user.email)
    expect(page.get_by_role("heading", name="Confirm your sign-in")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp.code_at(secret, int(mfa_clock.now // 30)))
    page.get_by_role("button", name="Confirm").first.click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()


def test_enroll_a_passkey_then_sign_in_with_it_after_the_password_and_alone(
        page, sign_in_page, make_user, relying_party, authenticator):
    user = make_user(email="paula@example.com", password=PASSWORD)
    sign_in_page(page, user)
    add_passkey(page, "This laptop")
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "This laptop" and passkey.discoverable
    credentials = authenticator["cdp"].send("WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]})
    assert len(credentials["credentials"]) == 1

    page.get_by_role("link", name="I saved them").click()
    sign_out(page)
    password_step(page, user.email)
    expect(page.get_by_role("heading", name="Confirm your sign-in")).to_be_visible()
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    first_count = Passkey.objects.get(pk=passkey.pk).sign_count
    assert first_count >= 1

    sign_out(page)
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    assert Passkey.objects.get(pk=passkey.pk).sign_count > first_count


def test_an_assertion_made_for_another_origin_is_refused(page, sign_in_page, make_user, relying_party,
                                                        authenticator, settings):
    user = make_user(email="oscar@example.com", password=PASSWORD)
    sign_in_page(page, user)
    add_passkey(page, "Key")
    page.get_by_role("link", name="I saved them").click()
    sign_out(page)
    # The server now expects another origin (another port of the same host, so the browser still
    # accepts the relying party id): the browser's assertion names the origin it really ran on.
    host = urlsplit(relying_party).hostname
    settings.ANNEAL_WEBAUTHN_RP_ID = host
    settings.BASE_URL = f"http://{host}:1"
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page.locator("#messages").get_by_role("alert")).to_contain_text("could not be verified")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_replayed_assertion_is_refused(page, sign_in_page, make_user, relying_party, authenticator):
    user = make_user(email="rita@example.com", password=PASSWORD)
    sign_in_page(page, user)
    add_passkey(page, "Key")
    page.get_by_role("link", name="I saved them").click()
    sign_out(page)
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.post_data or "")
            if request.url.endswith("/sign-in/passkey/") and request.method == "POST" else None)
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    sign_out(page)

    from urllib.parse import parse_qs

    captured = parse_qs(posted[0])["credential"][0]
    page.goto("/sign-in/")
    csrf = page.locator("#passkey-sign-in input[name=csrfmiddlewaretoken]").get_attribute("value")
    page.request.post("/sign-in/passkey/options/", headers={"X-CSRFToken": csrf})  # a fresh challenge
    response = page.request.post("/sign-in/passkey/", form={"csrfmiddlewaretoken": csrf, "credential": captured},
                                 headers={"Referer": relying_party + "/sign-in/"}, max_redirects=0)
    assert response.status == 302 and response.headers["location"] == "/sign-in/"
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))


def test_a_roaming_security_key_is_a_second_factor(page, sign_in_page, make_user, relying_party):
    """A USB key without resident credentials: it cannot sign in alone, it confirms a password sign-in."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": False, "hasUserVerification": False,
        "automaticPresenceSimulation": True}})
    user = make_user(email="roamer@example.com", password=PASSWORD)
    sign_in_page(page, user)
    add_passkey(page, "USB key")
    passkey = Passkey.objects.get(user=user)
    assert passkey.transports == ["usb"] and not passkey.discoverable

    page.get_by_role("link", name="I saved them").click()
    sign_out(page)
    password_step(page, user.email)
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
