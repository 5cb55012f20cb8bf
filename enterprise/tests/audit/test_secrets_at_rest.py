"""Audit secrets are encrypted through core.secrets, under the audit log's own purpose."""

import pytest

from anneal_enterprise.audit import secrets
from core import secrets as core_secrets


def test_new_audit_secrets_are_core_tokens_for_the_audit_purpose():
    token = secrets.encrypt("destination-secret")
    assert core_secrets.decrypt(token, purpose=secrets.PURPOSE) == "destination-secret"
    with pytest.raises(core_secrets.SecretUnreadable):
        core_secrets.decrypt(token, purpose="anneal_enterprise.sso")


def test_audit_secrets_survive_a_key_rotation_with_a_fallback(settings):
    token = secrets.encrypt("destination-secret")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert secrets.decrypt(token) == "destination-secret"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable, match="ANNEAL_SECRET_KEY_FALLBACKS"):
        secrets.decrypt(token)
