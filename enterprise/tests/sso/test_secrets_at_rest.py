"""SSO secrets are encrypted through core.secrets, under SSO's own purpose."""

import pytest

from anneal_enterprise.sso import secrets
from core import secrets as core_secrets


def test_new_sso_secrets_are_core_tokens_for_the_sso_purpose():
    token = secrets.encrypt("client-secret")
    assert core_secrets.decrypt(token, purpose=secrets.PURPOSE) == "client-secret"
    assert "client-secret" not in token


def test_an_sso_secret_under_a_rotated_key_needs_the_fallback(settings):
    token = secrets.encrypt("client-secret")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert secrets.decrypt(token) == "client-secret"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable, match="ANNEAL_SECRET_KEY changed"):
        secrets.decrypt(token)


def test_an_empty_secret_stays_empty():
    assert secrets.encrypt("") == "" and secrets.decrypt("") == ""
