"""Encrypting a bundle to the vendor's age public keys with ``pyrage``."""

from __future__ import annotations

import pyrage


class InvalidRecipient(ValueError):
    pass


def parse_recipients(values: list[str]) -> list[str]:
    """Validate age public keys (``age1…``); returns them cleaned, raises with the bad one named."""
    cleaned = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            pyrage.x25519.Recipient.from_str(value)
        except Exception:
            raise InvalidRecipient(
                f"{value[:24]!r} is not an age public key; a key looks like 'age1' followed by 58 letters and digits."
            ) from None
        cleaned.append(value)
    return list(dict.fromkeys(cleaned))


def encrypt(data: bytes, recipients: list[str]) -> bytes:
    return pyrage.encrypt(data, [pyrage.x25519.Recipient.from_str(r) for r in recipients])
