"""Encryption at rest for SSO client secrets and SP private keys, through :mod:`core.secrets`.

An empty value stays empty (nothing to protect).
"""

from __future__ import annotations

from core import secrets as core_secrets
from core.secrets import SecretUnreadable

__all__ = ["PURPOSE", "SecretUnreadable", "decrypt", "encrypt"]

PURPOSE = "anneal_enterprise.sso"


def encrypt(plaintext: str) -> str:
    return core_secrets.encrypt(plaintext, purpose=PURPOSE) if plaintext else ""


def decrypt(ciphertext: str) -> str:
    return core_secrets.decrypt(ciphertext, purpose=PURPOSE) if ciphertext else ""
