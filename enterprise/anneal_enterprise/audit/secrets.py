"""Encryption at rest of the audit log's secrets (signing key, destination secrets).

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived by HKDF from Django's ``SECRET_KEY``:
rotating ``SECRET_KEY`` makes the stored secrets unreadable, so configure
``ANNEAL_AUDIT_SIGNING_KEY`` explicitly if you rotate it (see docs/enterprise/audit-log.md).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted, usually because ``SECRET_KEY`` changed."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"anneal-audit", info=b"secrets-at-rest").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored audit-log secret cannot be decrypted with the current SECRET_KEY. Restore the previous "
            "SECRET_KEY, or set ANNEAL_AUDIT_SIGNING_KEY and re-enter destination secrets."
        ) from None
