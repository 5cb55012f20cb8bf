"""HMAC-SHA256 signatures of deliveries, and how a receiver verifies them.

Each request carries ``Anneal-Signature: t=<unix seconds>,v1=<hex digest>`` where the digest is
``HMAC-SHA256(secret, "<t>." + body)``. Signing the timestamp with the body lets a receiver
refuse replays of old requests.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Anneal-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class InvalidSignature(ValueError):
    """The signature header is missing, malformed, stale, or does not match the body."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, *, tolerance: int = DEFAULT_TOLERANCE_SECONDS,
           now: float | None = None) -> int:
    """Check ``header`` against ``body``; return the signed timestamp or raise :class:`InvalidSignature`."""
    if not header:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing.")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise InvalidSignature(f"The {SIGNATURE_HEADER} header is malformed: {item!r} has no '='.")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise InvalidSignature("The signature has no valid timestamp (t=...).") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature(f"The signature's timestamp is more than {tolerance} seconds from now.")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        raise InvalidSignature("The signature does not match the body.")
    return timestamp
