"""Detached Ed25519 signatures of a file: ``<file>.sig`` holds the 64 raw signature bytes.

The raw form is what OpenSSL 3 reads, so a signature can also be checked without Anneal::

    openssl pkeyutl -verify -pubin -inkey anneal-release.pem -rawin \\
        -in SHA256SUMS -sigfile SHA256SUMS.sig

Keys are loaded from PEM text (``SubjectPublicKeyInfo`` / ``PKCS#8``) or, for public keys, from
the base64 of their 32 raw bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_SUFFIX = ".sig"
SIGNATURE_BYTES = 64
#: The environment variable that may hold the release private key (PEM text) instead of a file.
SIGNING_KEY_ENV = "ANNEAL_RELEASE_SIGNING_KEY"


class SignatureError(Exception):
    """A signature is missing, malformed or made by none of the trusted keys; ``path`` names the file."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def signature_path(path: Path) -> Path:
    return path.with_name(path.name + SIGNATURE_SUFFIX)


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key is not an Ed25519 private key")
    return key


def read_private_key(path: Path | None) -> Ed25519PrivateKey:
    """The release private key from the PEM file ``path``, else from ``$ANNEAL_RELEASE_SIGNING_KEY``.

    Raises ValueError saying what is wrong and what to give instead.
    """
    if path is not None:
        try:
            pem = Path(path).read_bytes()
        except OSError as error:
            raise ValueError(f"{path}: cannot be read ({error.strerror})") from None
        where = str(path)
    elif os.environ.get(SIGNING_KEY_ENV):
        pem, where = os.environ[SIGNING_KEY_ENV].encode("ascii", "replace"), f"${SIGNING_KEY_ENV}"
    else:
        raise ValueError(f"Give the release signing key with --private-key FILE or ${SIGNING_KEY_ENV}.")
    try:
        return load_private_key(pem)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where} is not an Ed25519 private key in PEM form ({error}).") from None


def public_key_base64(key: Ed25519PublicKey) -> str:
    """The base64 of the key's 32 raw bytes: one line, for a setting or a product declaration."""
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM text or the base64 of its 32 raw bytes; ValueError if neither."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("neither PEM nor the base64 of a 32-byte Ed25519 public key") from None
    if len(raw) != 32:
        raise ValueError("neither PEM nor the base64 of a 32-byte Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_key_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def sign(path: Path, key: Ed25519PrivateKey) -> Path:
    """Write ``<path>.sig`` for ``path`` and return it."""
    target = signature_path(Path(path))
    target.write_bytes(key.sign(Path(path).read_bytes()))
    return target


def verify(path: Path, keys: Mapping[str, Ed25519PublicKey]) -> str:
    """Check ``<path>.sig`` against ``path``; return the id of the key that made it.

    Raises :class:`SignatureError` naming the signature file when it is missing, not 64 bytes,
    or made by none of ``keys``.
    """
    path = Path(path)
    signature_file = signature_path(path)
    if not keys:
        raise SignatureError(signature_file.name, "no release public key is trusted here to check it with: give "
                             "--key FILE with the key the vendor published, or set ANNEAL_RELEASE_PUBLIC_KEYS")
    if not signature_file.is_file() or signature_file.is_symlink():
        raise SignatureError(signature_file.name, "is missing: this release is not signed")
    signature = signature_file.read_bytes()
    if len(signature) != SIGNATURE_BYTES:
        raise SignatureError(signature_file.name,
                             f"is {len(signature)} bytes, not a {SIGNATURE_BYTES}-byte Ed25519 signature (truncated or damaged)")
    data = path.read_bytes()
    for key_id, key in keys.items():
        try:
            key.verify(signature, data)
        except InvalidSignature:
            continue
        return key_id
    names = ", ".join(sorted(keys))
    raise SignatureError(signature_file.name,
                         f"does not match {path.name} with the release key {names}: {path.name} was changed "
                         "after signing, or the release was signed with another key")
