"""Encryption at rest for SSO client secrets and SP private keys, through :mod:`core.secrets`.

An empty value stays empty (nothing to protect). Secrets saved before the core API existed are
still read (see :mod:`anneal_enterprise.legacy_secrets`).
"""

from __future__ import annotations

from anneal_enterprise import legacy_secrets
from core import secrets as core_secrets
from core.secrets import SecretUnreadable

__all__ = ["PURPOSE", "SecretUnreadable", "decrypt", "encrypt"]

PURPOSE = "anneal_enterprise.sso"


def encrypt(plaintext: str) -> str:
    return core_secrets.encrypt(plaintext, purpose=PURPOSE) if plaintext else ""


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return core_secrets.decrypt(ciphertext, purpose=PURPOSE)
    except SecretUnreadable:
        return legacy_secrets.decrypt(ciphertext, salt=b"anneal-sso", info=b"anneal sso secrets v1", purpose=PURPOSE)
