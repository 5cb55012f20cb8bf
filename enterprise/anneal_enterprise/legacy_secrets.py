"""Reading secrets that SSO and the audit log encrypted before :mod:`core.secrets` existed.

They used Fernet too, with their own HKDF salt and info. New writes use :mod:`core.secrets`;
this read path keeps rows saved earlier readable until they are saved again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from core.secrets import SecretUnreadable


def decrypt(token: str, *, salt: bytes, info: bytes, purpose: str) -> str:
    """Decrypt a pre-core token derived with ``salt``/``info``; raises core's ``SecretUnreadable``."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    fernets = []
    for key in keys:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key.encode())
        fernets.append(Fernet(base64.urlsafe_b64encode(derived)))
    try:
        return MultiFernet(fernets).decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(purpose) from None
