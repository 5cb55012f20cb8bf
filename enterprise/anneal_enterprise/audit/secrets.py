"""Encryption at rest of the audit log's secrets (signing key, destination secrets), through
:mod:`core.secrets`: rotate ``ANNEAL_SECRET_KEY`` by keeping the old key in
``ANNEAL_SECRET_KEY_FALLBACKS``. Secrets saved before the core API existed are still read.
"""

from __future__ import annotations

from anneal_enterprise import legacy_secrets
from core import secrets as core_secrets
from core.secrets import SecretUnreadable

__all__ = ["PURPOSE", "SecretUnreadable", "decrypt", "encrypt"]

PURPOSE = "anneal_enterprise.audit"


def encrypt(value: str) -> str:
    return core_secrets.encrypt(value, purpose=PURPOSE)


def decrypt(token: str) -> str:
    try:
        return core_secrets.decrypt(token, purpose=PURPOSE)
    except SecretUnreadable:
        return legacy_secrets.decrypt(token, salt=b"anneal-audit", info=b"secrets-at-rest", purpose=PURPOSE)
