"""A plugin adds a factor type and a rule through the hooks, and the sign-in honours both."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.html import format_html

from core.mfa import enforcement, factors
from core.plugins import FactorRequirement, SecondFactorType, hookimpl
from tests.mfa.conftest import PASSWORD, password_step, signed_in

pytestmark = pytest.mark.django_db

HARDWARE_CODES: dict[int, str] = {}


class HardwareTokenPlugin:
    """A factor type checking a one-time code of an imaginary hardware token (one code per user)."""

    @hookimpl
    def anneal_second_factor_types(self) -> list[SecondFactorType]:
        def verify(request: Any, user: Any) -> bool:
            expected = HARDWARE_CODES.pop(user.pk, None)  # single use
            return expected is not None and request.POST.get("token_code") == expected

        return [SecondFactorType(
            "hardware_token", "Hardware token", lambda user: user.pk in HARDWARE_CODES,
            lambda request, user: format_html('<label for="{}">Token code</label> <input id="{}" name="token_code">',
                                              "token", "token"),
            verify, manage_url="/plugins/hardware/", enroll_label="Register a hardware token")]


class PasskeysOnlyPlugin:
    @hookimpl
    def anneal_mfa_requirements(self, user: Any) -> list[FactorRequirement]:
        return [FactorRequirement("plugin:passkeys-only", "Passkeys only here.", factor_types=frozenset({"passkey"}))]


class BrokenFactorPlugin:
    @hookimpl
    def anneal_second_factor_types(self) -> list[SecondFactorType]:
        raise RuntimeError("the token server is down")


@pytest.fixture
def hardware(anneal_plugin):
    HARDWARE_CODES.clear()
    anneal_plugin(HardwareTokenPlugin(), name="hardware")
    yield
    HARDWARE_CODES.clear()


def test_a_plugin_factor_is_asked_after_the_password_and_signs_in(hardware, make_user):
    user = make_user(password=PASSWORD)
    HARDWARE_CODES[user.pk] = "424242"
    client = Client()
    assert password_step(client, user)["Location"] == "/sign-in/verify/"
    page = client.get("/sign-in/verify/").content.decode()
    assert "Hardware token" in page and 'name="token_code"' in page
    assert client.post("/sign-in/verify/", {"factor": "hardware_token", "token_code": "000000"}).status_code == 400
    HARDWARE_CODES[user.pk] = "424242"
    client.post("/sign-in/verify/", {"factor": "hardware_token", "token_code": "424242"})
    assert signed_in(client)
    assert [f["type"] for f in client.session["anneal_auth"]["factors"]] == ["password", "hardware_token"]


def test_the_security_page_links_to_a_plugin_factor(hardware, make_user, web_client_for):
    page = web_client_for(make_user()).get("/profile/security/").content.decode()
    assert 'href="/plugins/hardware/">Register a hardware token' in page


def test_a_plugin_rule_restricts_the_accepted_factor_types(anneal_plugin, totp_user, sign_in_with_totp):
    anneal_plugin(PasskeysOnlyPlugin(), name="passkeys-only")
    decision = enforcement.decide(totp_user)
    assert decision.accepted == frozenset({"passkey"}) and not decision.is_met_by(totp_user, "totp")
    client = sign_in_with_totp(totp_user)  # the app is not accepted: the session may only enroll a passkey
    assert client.get("/")["Location"] == "/profile/security/"
    assert "Set up passkey or security key to continue" in client.get("/profile/security/").content.decode()


def test_a_factor_type_that_cannot_be_listed_fails_the_sign_in_closed(anneal_plugin, make_user):
    anneal_plugin(BrokenFactorPlugin(), name="broken")
    user = make_user(password=PASSWORD)
    client = Client(raise_request_exception=False)
    response = password_step(client, user)
    assert response.status_code == 500 and not signed_in(client)


def test_two_plugins_with_the_same_factor_id_are_refused(anneal_plugin, hardware):
    class Twin(HardwareTokenPlugin):
        pass

    anneal_plugin(Twin(), name="twin")
    with pytest.raises(RuntimeError, match="hardware_token"):
        factors.types()
