"""Every way a key is refused, with the exact message, while the license in force stays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from anneal_enterprise import entitlements
from anneal_enterprise.licensing import clock, document, services, status
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.models import LicenseKey
from anneal_enterprise.licensing.testing import TestSigner

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def in_force(signer):
    """A license in force (audit_log only) that every refusal must leave alone."""
    clock.set_now(NOW)
    key = signer.issue(features=["audit_log"], license_id="lic_in_force", starts_at=NOW - timedelta(days=10))
    services.install(key, source="cli")
    return key


def refuse(text, captured_events=None):
    with pytest.raises(LicenseRefused) as info:
        services.install(text, source="api")
    return info.value


def assert_still_in_force():
    status.refresh(force=True)
    active = LicenseKey.objects.get(is_active=True)
    assert active.license_id == "lic_in_force"
    assert entitlements.state("audit_log") == "enabled"
    assert entitlements.state("sso") == "unavailable"


def test_garbage_is_refused_as_malformed(in_force, captured_events):
    refusal = refuse("hello")
    assert refusal.code == "malformed"
    assert refusal.message == (
        "This is not a valid Anneal license key: it must start with the line -----BEGIN ANNEAL LICENSE KEY----- "
        "and end with the line -----END ANNEAL LICENSE KEY-----. Paste the whole key, including the BEGIN and END "
        "lines, exactly as you received it."
    )
    assert [e.type for e in captured_events] == ["license.refused"]
    assert captured_events[0].data["code"] == "malformed"
    assert_still_in_force()


def test_empty_key_is_refused_as_malformed(in_force):
    assert refuse("  \n").message.startswith("This is not a valid Anneal license key: it is empty.")
    assert_still_in_force()


def test_truncated_body_is_refused_as_malformed(in_force, signer):
    key = signer.issue()
    lines = key.splitlines()
    truncated = "\n".join([lines[0], lines[1][:-3], lines[-1]])
    refusal = refuse(truncated)
    assert refusal.code == "malformed"
    assert "three dot-separated parts" in refusal.message or "base64url" in refusal.message
    assert_still_in_force()


def test_non_ascii_bytes_are_refused_as_malformed(in_force):
    refusal = refuse("—BEGIN ANNEAL LICENSE KEY—".encode())
    assert refusal.message.startswith(
        "This is not a valid Anneal license key: it contains characters that never appear in a key.")
    assert_still_in_force()


def test_changed_claim_is_refused_as_tampered(in_force, signer):
    key = signer.issue(seats=10)
    doc_body = "".join(key.splitlines()[1:-1])
    header, claims, signature = doc_body.split(".")
    forged_claims = document.b64encode(document.b64decode(claims).replace(b'"seats":10', b'"seats":99'))
    forged = "\n".join([document.BEGIN, f"{header}.{forged_claims}.{signature}", document.END])
    refusal = refuse(forged)
    assert refusal.code == "tampered"
    assert refusal.message == (
        f"This license key's signature does not match its content for the test key '{signer.key_id}': "
        "the key was changed after it was issued. Paste the key exactly as you received it."
    )
    assert_still_in_force()


def test_key_signed_by_an_unknown_key_is_refused_naming_the_key(in_force):
    stranger = TestSigner(key_id="stranger-2026")
    refusal = refuse(stranger.issue())
    assert refusal.code == "unknown_key"
    assert refusal.message.startswith(
        "This license key was signed with the key 'stranger-2026', which this version of Anneal does not know "
        "(it knows ")
    assert "anneal-production-2026 (production)" in refusal.message
    assert "anneal-test-2026 (test)" in refusal.message
    assert_still_in_force()


def test_key_claiming_a_shipped_key_id_with_another_signature_is_refused_as_tampered(in_force):
    impostor = TestSigner()
    refusal = refuse(impostor.sign(impostor.claims(), key_id="anneal-production-2026"))
    assert refusal.code == "tampered"
    assert "for the production key 'anneal-production-2026'" in refusal.message
    assert_still_in_force()


def test_key_for_another_product_is_refused(in_force, signer):
    refusal = refuse(signer.issue(product="othertool"))
    assert refusal.code == "other_product"
    assert refusal.message == (
        "This license key is for the product 'othertool', not for Anneal. Check that you pasted the right key.")
    assert_still_in_force()


def test_key_not_yet_valid_is_refused_with_its_start(in_force, signer):
    refusal = refuse(signer.issue(license_id="lic_future", starts_at=NOW + timedelta(days=3)))
    assert refusal.code == "not_yet_valid"
    assert refusal.message == (
        "License lic_future for Example Corp is not valid yet: it starts on 2026-06-04 12:00 UTC. "
        "Install it on or after that date.")
    assert_still_in_force()


def test_key_past_its_grace_period_is_refused(in_force, signer):
    key = signer.issue(license_id="lic_old", starts_at=NOW - timedelta(days=400),
                       expires_at=NOW - timedelta(days=20), grace_days=14)
    refusal = refuse(key)
    assert refusal.code == "past_grace"
    assert refusal.message == (
        "License lic_old for Example Corp expired on 2026-05-12 12:00 UTC and its grace period ended on "
        "2026-05-26 12:00 UTC. Install a renewed license.")
    assert_still_in_force()


def test_key_in_its_grace_period_is_accepted(signer):
    clock.set_now(NOW)
    key = signer.issue(starts_at=NOW - timedelta(days=400), expires_at=NOW - timedelta(days=2), grace_days=14)
    services.install(key, source="api")
    assert status.current().stage() == "grace"


def test_unsupported_algorithm_is_refused(in_force, signer):
    header = document.b64encode(document.canonical_json({"alg": "RS256", "kid": signer.key_id, "typ": document.TYPE}))
    claims = document.b64encode(document.canonical_json(signer.claims()))
    text = "\n".join([document.BEGIN, f"{header}.{claims}.{document.b64encode(b'x' * 64)}", document.END])
    refusal = refuse(text)
    assert refusal.code == "unsupported_algorithm"
    assert refusal.message.startswith("This license key uses the signature algorithm 'RS256'")
    assert_still_in_force()


def test_signed_but_invalid_claims_are_refused_as_malformed(in_force, signer):
    claims = signer.claims()
    claims["seats"] = "many"
    refusal = refuse(signer.sign(claims))
    assert refusal.code == "malformed"
    assert refusal.message == ("This license key is signed but its content is not a valid license: seats must be a "
                               "positive whole number. Ask your vendor for a new key.")
    assert_still_in_force()


def test_whitespace_and_line_breaks_are_tolerated(signer):
    key = signer.issue(license_id="lic_spaced")
    body = "".join(key.splitlines()[1:-1])
    messy = f"\r\n  {document.BEGIN} {' '.join(body[i:i + 7] for i in range(0, len(body), 7))}\t{document.END}  \n"
    services.install(messy, source="environment")
    assert LicenseKey.objects.get(is_active=True).license_id == "lic_spaced"


def test_installing_the_same_key_twice_changes_nothing(signer, captured_events):
    key = signer.issue()
    first = services.install(key, source="cli")
    second = services.install(key.replace("\n", "\n\n"), source="web")
    assert first.pk == second.pk
    assert [e.type for e in captured_events] == ["license.installed"]
