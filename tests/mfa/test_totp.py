"""Authenticator app codes: the real RFC 6238 algorithm, clock windows, no replay, secret at rest."""

from __future__ import annotations

import base64

import pytest
from django.db import connection

from core.mfa import totp
from core.models import TotpAuthenticator
from core.services.errors import ServiceError
from tests.mfa.conftest import current_code

pytestmark = pytest.mark.django_db


def test_codes_follow_rfc_6238():
    # RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" gives 94287082 at T=59 s
    # (8 digits); six digits are its last six.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.code_at(secret, 1111111109 // 30) == "081804"


def test_a_code_of_the_current_step_is_accepted_once(totp_user, mfa_clock):
    code = current_code(totp_user.totp_secret, mfa_clock)
    assert totp.verify(totp_user, code) is True
    assert totp.verify(totp_user, code) is False


def test_a_code_one_step_old_or_ahead_is_accepted_but_not_two(totp_user, mfa_clock):
    mfa_clock.advance(120)  # well after the enrollment's code
    step = int(mfa_clock.now // 30)
    secret = totp_user.totp_secret
    assert totp.verify(totp_user, totp.code_at(secret, step - 2)) is False
    assert totp.verify(totp_user, totp.code_at(secret, step + 2)) is False
    assert totp.verify(totp_user, totp.code_at(secret, step - 1)) is True
    assert totp.verify(totp_user, totp.code_at(secret, step + 1)) is True


def test_after_a_code_is_used_older_codes_of_the_window_are_refused(totp_user, mfa_clock):
    mfa_clock.advance(120)
    step = int(mfa_clock.now // 30)
    assert totp.verify(totp_user, totp.code_at(totp_user.totp_secret, step)) is True
    assert totp.verify(totp_user, totp.code_at(totp_user.totp_secret, step - 1)) is False


def test_a_code_is_valid_again_only_in_a_later_step(totp_user, mfa_clock):
    code = current_code(totp_user.totp_secret, mfa_clock)
    assert totp.verify(totp_user, code)
    mfa_clock.advance(30)
    assert totp.verify(totp_user, current_code(totp_user.totp_secret, mfa_clock))


@pytest.mark.parametrize("garbage", ["", "12345", "1234567", "abcdef", "12 34 5x", "٣٣٣٣٣٣"])
def test_malformed_codes_are_refused(totp_user, garbage):
    assert totp.verify(totp_user, garbage) is False


def test_enrollment_waits_for_a_right_code(make_user, mfa_clock):
    user = make_user()
    authenticator = totp.start_enrollment(user)
    assert not totp.is_enrolled(user)
    with pytest.raises(ServiceError, match="not right"):
        totp.confirm_enrollment(user, "000000" if current_code(authenticator.secret, mfa_clock) != "000000" else "111111")
    assert not totp.is_enrolled(user)
    totp.confirm_enrollment(user, current_code(authenticator.secret, mfa_clock))
    assert totp.is_enrolled(user)


def test_the_enrollment_code_cannot_be_used_again_to_sign_in(make_user, mfa_clock):
    user = make_user()
    authenticator = totp.start_enrollment(user)
    code = current_code(authenticator.secret, mfa_clock)
    totp.confirm_enrollment(user, code)
    assert totp.verify(user, code) is False


def test_the_qr_code_is_an_svg_drawn_locally_with_the_provisioning_uri(make_user):
    user = make_user(email="qr@example.com")
    authenticator = totp.start_enrollment(user)
    svg = totp.qr_svg(authenticator)
    assert svg.lstrip().startswith("<svg") and "<path" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    uri = totp.provisioning_uri(authenticator)
    assert uri.startswith("otpauth://totp/Anneal:qr%40example.com?secret=") and "issuer=Anneal" in uri


def test_the_secret_is_stored_encrypted(totp_user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_totpauthenticator WHERE user_id = %s", [totp_user.pk])
        (stored,) = cursor.fetchone()
    assert totp_user.totp_secret not in stored
    assert TotpAuthenticator.objects.get(user=totp_user).secret == totp_user.totp_secret
