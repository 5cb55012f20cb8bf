"""SSO secrets go through core.secrets, and tokens written by the former SSO code stay readable."""

import base64

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from anneal_enterprise.sso import secrets
from core import secrets as core_secrets


def former_sso_token(secret_key: str, text: str) -> str:
    """A token as the SSO code wrote it before core.secrets (salt anneal-sso)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"anneal-sso", info=b"anneal sso secrets v1").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key)).encrypt(text.encode()).decode()


def test_new_sso_secrets_are_core_tokens_for_the_sso_purpose():
    token = secrets.encrypt("client-secret")
    assert core_secrets.decrypt(token, purpose=secrets.PURPOSE) == "client-secret"


def test_a_secret_saved_by_the_former_sso_code_is_still_read(settings):
    assert secrets.decrypt(former_sso_token(settings.SECRET_KEY, "old-client-secret")) == "old-client-secret"


def test_a_former_token_under_a_rotated_key_needs_the_fallback(settings):
    token = former_sso_token(settings.SECRET_KEY, "old-client-secret")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert secrets.decrypt(token) == "old-client-secret"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable, match="ANNEAL_SECRET_KEY changed"):
        secrets.decrypt(token)


def test_an_empty_secret_stays_empty():
    assert secrets.encrypt("") == "" and secrets.decrypt("") == ""
