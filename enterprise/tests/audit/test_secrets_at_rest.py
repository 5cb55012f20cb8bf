"""Audit secrets go through core.secrets, and tokens written by the former audit code stay readable."""

import base64

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from anneal_enterprise.audit import secrets
from core import secrets as core_secrets


def former_audit_token(secret_key: str, text: str) -> str:
    """A token as the audit log wrote it before core.secrets (salt anneal-audit)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"anneal-audit", info=b"secrets-at-rest").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key)).encrypt(text.encode()).decode()


def test_new_audit_secrets_are_core_tokens_for_the_audit_purpose():
    token = secrets.encrypt("destination-secret")
    assert core_secrets.decrypt(token, purpose=secrets.PURPOSE) == "destination-secret"


def test_a_secret_saved_by_the_former_audit_code_is_still_read(settings):
    assert secrets.decrypt(former_audit_token(settings.SECRET_KEY, "old-pem")) == "old-pem"


def test_audit_secrets_now_survive_a_key_rotation_with_a_fallback(settings):
    token = secrets.encrypt("destination-secret")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert secrets.decrypt(token) == "destination-secret"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable, match="ANNEAL_SECRET_KEY_FALLBACKS"):
        secrets.decrypt(token)
