"""Recovery codes: shown once, stored hashed, single-use, regenerable."""

from __future__ import annotations

import hashlib

import pytest

from core.mfa import recovery
from core.models import RecoveryCode

pytestmark = pytest.mark.django_db


def test_codes_are_stored_only_as_hashes(totp_user):
    stored = set(RecoveryCode.objects.filter(user=totp_user).values_list("code_hash", flat=True))
    assert len(stored) == recovery.COUNT
    for code in totp_user.recovery_codes_plain:
        assert code not in stored
        assert hashlib.sha256(code.replace("-", "").encode()).hexdigest() in stored


def test_each_code_works_once(totp_user, captured_events):
    code = totp_user.recovery_codes_plain[0]
    assert recovery.use(totp_user, code) is True
    assert recovery.use(totp_user, code) is False
    assert recovery.remaining(totp_user) == recovery.COUNT - 1
    used = [e for e in captured_events if e.type == "mfa.recovery_code_used"]
    assert len(used) == 1 and used[0].data["remaining"] == recovery.COUNT - 1


def test_new_codes_replace_the_old_ones(totp_user, sign_in_with_totp, captured_events):
    client = sign_in_with_totp(totp_user)
    response = client.post("/profile/security/recovery-codes/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert not any(old in page for old in totp_user.recovery_codes_plain)
    assert not recovery.use(totp_user, totp_user.recovery_codes_plain[1])
    assert recovery.remaining(totp_user) == recovery.COUNT
    assert any(e.type == "mfa.recovery_codes_generated" for e in captured_events)


def test_the_security_page_never_shows_codes_again(totp_user, sign_in_with_totp):
    client = sign_in_with_totp(totp_user)
    page = client.get("/profile/security/").content.decode()
    assert "10 unused recovery codes" in page
    assert not any(code in page for code in totp_user.recovery_codes_plain)


def test_codes_cannot_be_made_without_another_factor(make_user, web_client_for):
    user = make_user()
    client = web_client_for(user)
    client.post("/profile/security/recovery-codes/")
    assert recovery.remaining(user) == 0
