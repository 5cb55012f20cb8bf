"""Recovery codes: ten single-use codes, shown once, stored as hashes, regenerable.

Each code has 80 random bits (16 characters of base32), so an unsalted SHA-256 is enough: it
cannot be reversed by trying codes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from core.mfa import events
from core.models import RecoveryCode, User

COUNT = 10


def _hash(code: str) -> str:
    normalised = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def remaining(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


def is_enrolled(user: User) -> bool:
    return RecoveryCode.objects.filter(user=user, used_at=None).exists()


def generate(user: User) -> list[str]:
    """A new set of codes, replacing every earlier one; the only time they are readable."""
    codes = [_new_code() for _ in range(COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(code)) for code in codes)
        events.emit_factor("mfa.recovery_codes_generated", user, "recovery_code", "Recovery codes", count=COUNT)
    return codes


def use(user: User, code: str) -> bool:
    """``True`` when ``code`` is one of the user's unused codes; it is used up at once."""
    with transaction.atomic():
        used = RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at=None).update(
            used_at=timezone.now())
        if used:
            events.emit_factor("mfa.recovery_code_used", user, "recovery_code", "Recovery codes",
                               remaining=remaining(user))
    return used == 1


def delete_all(user: User) -> int:
    deleted, _ = RecoveryCode.objects.filter(user=user).delete()
    return deleted
