"""Encryption at rest for client secrets and SP private keys.

The key is derived from ``ANNEAL_SECRET_KEY`` (Django's ``SECRET_KEY``) with HKDF-SHA256
(salt ``anneal-sso``, info ``anneal sso secrets v1``) and used as a Fernet key (AES-128-CBC +
HMAC-SHA256). Changing ``ANNEAL_SECRET_KEY`` makes stored secrets unreadable: keep the old key
in ``ANNEAL_SECRET_KEY_FALLBACKS`` (Django's ``SECRET_KEY_FALLBACKS``) while you re-save them.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the current or fallback secret keys."""


def _fernet_for(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"anneal-sso", info=b"anneal sso secrets v1")
    return Fernet(base64.urlsafe_b64encode(derived.derive(secret_key.encode())))


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext``; an empty string stays empty (nothing to protect)."""
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored SSO secret cannot be decrypted: ANNEAL_SECRET_KEY changed. Put the previous key in "
            "ANNEAL_SECRET_KEY_FALLBACKS, or enter the client secret / upload the SP key again."
        ) from None
