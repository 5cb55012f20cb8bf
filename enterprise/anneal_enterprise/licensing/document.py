"""The license key's text form: an armored, signed document anyone can read.

::

    -----BEGIN ANNEAL LICENSE KEY-----
    <header>.<claims>.<signature>      (base64url without padding, wrapped at 64 columns)
    -----END ANNEAL LICENSE KEY-----

``header`` is JSON ``{"alg": "Ed25519", "kid": <key id>, "typ": "anneal-license/v1"}``;
``claims`` is the license's JSON; the signature covers ``anneal-license/v1.<header>.<claims>``
(the base64url text, so the signed bytes are exactly the bytes in the key). Whitespace and
line breaks (spaces, tabs, CR, LF) anywhere between the BEGIN and END lines, and around the block, are ignored;
everything else must be exactly as issued.

This module only encodes and decodes; :mod:`.verify` decides whether a key is acceptable.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from anneal_enterprise.licensing.errors import LicenseRefused

BEGIN = "-----BEGIN ANNEAL LICENSE KEY-----"
END = "-----END ANNEAL LICENSE KEY-----"
TYPE = "anneal-license/v1"
ALGORITHM = "Ed25519"
SIGNING_PREFIX = (TYPE + ".").encode("ascii")

_ARMOR = re.compile(r"\A[ \t\r\n]*" + re.escape(BEGIN) + r"(?P<body>.*?)" + re.escape(END) + r"[ \t\r\n]*\Z",
                    re.DOTALL)
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_BODY = re.compile(r"\A[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\Z")

MALFORMED_HINT = (
    "Paste the whole key, including the BEGIN and END lines, exactly as you received it."
)


@dataclass(frozen=True)
class SignedDocument:
    """A decoded key whose signature has not been checked yet."""

    header: dict[str, Any]
    claims_json: bytes
    signed_bytes: bytes
    signature: bytes

    @property
    def algorithm(self) -> str:
        return str(self.header.get("alg", ""))

    @property
    def key_id(self) -> str:
        return str(self.header.get("kid", ""))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict base64url without padding: the text must be the canonical encoding of its bytes."""
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    if b64encode(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _malformed(what: str) -> LicenseRefused:
    return LicenseRefused("malformed", f"This is not a valid Anneal license key: {what}. {MALFORMED_HINT}")


def decode(text: str | bytes) -> SignedDocument:
    """Parse an armored key. Raises :class:`LicenseRefused` with code ``malformed``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise _malformed("it contains characters that never appear in a key") from None
    if not text.strip():
        raise _malformed("it is empty")
    match = _ARMOR.match(text)
    if match is None:
        raise _malformed(f"it must start with the line {BEGIN} and end with the line {END}")
    body = _WHITESPACE.sub("", match.group("body"))
    if not _BODY.match(body):
        raise _malformed("the text between the BEGIN and END lines is not three dot-separated parts")
    header_b64, claims_b64, signature_b64 = body.split(".")
    try:
        header_json = b64decode(header_b64)
        claims_json = b64decode(claims_b64)
        signature = b64decode(signature_b64)
    except ValueError:
        raise _malformed("a part of it is not valid base64url text") from None
    try:
        header = json.loads(header_json)
    except (UnicodeDecodeError, ValueError):
        raise _malformed("its header is not JSON") from None
    if not isinstance(header, dict) or header.get("typ") != TYPE:
        raise _malformed(f"its header does not say typ={TYPE}")
    if not isinstance(header.get("kid"), str) or not isinstance(header.get("alg"), str):
        raise _malformed("its header lacks the algorithm or the key id")
    signed = SIGNING_PREFIX + f"{header_b64}.{claims_b64}".encode("ascii")
    return SignedDocument(header=header, claims_json=claims_json, signed_bytes=signed, signature=signature)


def encode(claims: dict[str, Any], private_key: Any, key_id: str) -> str:
    """Sign ``claims`` with an Ed25519 private key and armor the result (used by the issuing tool)."""
    header_b64 = b64encode(canonical_json({"alg": ALGORITHM, "kid": key_id, "typ": TYPE}))
    claims_b64 = b64encode(canonical_json(claims))
    signed = SIGNING_PREFIX + f"{header_b64}.{claims_b64}".encode("ascii")
    signature_b64 = b64encode(private_key.sign(signed))
    body = f"{header_b64}.{claims_b64}.{signature_b64}"
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join([BEGIN, *lines, END]) + "\n"
