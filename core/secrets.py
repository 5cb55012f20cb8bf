"""Encryption at rest for secrets that the product must read back (client secrets, signing keys).

``encrypt(text, purpose=...)`` returns a Fernet token (AES-128-CBC + HMAC-SHA256). Its key is
derived from ``SECRET_KEY`` (``ANNEAL_SECRET_KEY``) with HKDF-SHA256, the ``purpose`` as the HKDF
info: a token made for one purpose never decrypts for another. ``decrypt`` tries ``SECRET_KEY``
and then each of ``SECRET_KEY_FALLBACKS`` (``ANNEAL_SECRET_KEY_FALLBACKS``), so the key can be
rotated: keep the old key as a fallback until the secrets were saved again.

``EncryptedTextField`` stores a model field this way and gives the plain text back in Python.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

__all__ = ["EncryptedTextField", "SecretUnreadable", "decrypt", "encrypt"]

KDF_SALT = b"anneal secrets at rest v1"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with ``SECRET_KEY`` nor any of ``SECRET_KEY_FALLBACKS``."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        super().__init__(
            f"A stored secret ({purpose}) cannot be decrypted: ANNEAL_SECRET_KEY changed since it was saved "
            "(or the stored value was altered). Put the previous key in ANNEAL_SECRET_KEY_FALLBACKS to read "
            "it again, or enter the secret again."
        )


@lru_cache(maxsize=64)
def _fernet_for(secret_key: str, purpose: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=KDF_SALT, info=purpose.encode())
    return Fernet(base64.urlsafe_b64encode(derived.derive(secret_key.encode())))


def _secret_keys() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _check_purpose(purpose: str) -> None:
    if not purpose:
        raise ValueError("purpose must name what the secret is for, e.g. 'my_plugin.endpoint-secret'.")


def encrypt(text: str, *, purpose: str) -> str:
    """Encrypt ``text`` for ``purpose`` with the current ``SECRET_KEY``; returns an ASCII token."""
    _check_purpose(purpose)
    return _fernet_for(settings.SECRET_KEY, purpose).encrypt(text.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str:
    """The text that :func:`encrypt` protected for the same ``purpose``.

    Raises :class:`SecretUnreadable` when no configured key (current or fallback) opens the token,
    or when the token was altered.
    """
    _check_purpose(purpose)
    fernet = MultiFernet([_fernet_for(key, purpose) for key in _secret_keys()])
    try:
        return fernet.decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(purpose) from None


class EncryptedTextField(models.TextField):
    """A text column holding :func:`encrypt` tokens; the model attribute holds the plain text.

    An empty value is stored as an empty string. Lookups on the plain text are not possible.
    Reading a row whose token no key opens raises :class:`SecretUnreadable`.
    """

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        _check_purpose(purpose)
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value, purpose=self.purpose)
