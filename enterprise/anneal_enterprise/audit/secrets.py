"""Encryption at rest of the audit log's secrets (signing key, destination secrets), through
:mod:`core.secrets`: rotate ``ANNEAL_SECRET_KEY`` by keeping the old key in
``ANNEAL_SECRET_KEY_FALLBACKS``.
"""

from __future__ import annotations

from core import secrets as core_secrets
from core.secrets import SecretUnreadable

__all__ = ["PURPOSE", "SecretUnreadable", "decrypt", "encrypt"]

PURPOSE = "anneal_enterprise.audit"


def encrypt(value: str) -> str:
    return core_secrets.encrypt(value, purpose=PURPOSE)


def decrypt(token: str) -> str:
    return core_secrets.decrypt(token, purpose=PURPOSE)
