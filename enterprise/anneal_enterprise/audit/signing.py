"""The Ed25519 key that signs checkpoints.

Where the key comes from, in order:

1. the ``ANNEAL_AUDIT_SIGNING_KEY`` setting (or environment variable): an Ed25519 private key
   as PKCS#8 PEM, or its 32-byte seed in base64;
2. otherwise a key generated on first use and stored in the database, encrypted with a key
   derived from ``SECRET_KEY`` (:mod:`anneal_enterprise.audit.secrets`).

Every public key ever used stays in the database, so older checkpoints keep verifying after
a rotation. ``anneal audit public-key`` prints them for offline verification.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction

from anneal_enterprise.audit import secrets
from anneal_enterprise.audit.models import AuditSigningKey


class SigningKeyInvalid(Exception):
    pass


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_pem(private_key: Ed25519PrivateKey) -> str:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()


def parse_private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except Exception as exc:
        raise SigningKeyInvalid(
            "ANNEAL_AUDIT_SIGNING_KEY is not an Ed25519 private key: give a PKCS#8 PEM block or the "
            f"32-byte seed in base64 ({type(exc).__name__})."
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyInvalid("ANNEAL_AUDIT_SIGNING_KEY must be an Ed25519 key.")
    return key


def parse_public_keys(text: str) -> dict[str, Ed25519PublicKey]:
    """Every PEM public key in ``text``, by key id."""
    keys: dict[str, Ed25519PublicKey] = {}
    for block in text.split("-----END PUBLIC KEY-----"):
        if "-----BEGIN PUBLIC KEY-----" not in block:
            continue
        pem = block[block.index("-----BEGIN PUBLIC KEY-----"):] + "-----END PUBLIC KEY-----\n"
        key = serialization.load_pem_public_key(pem.encode())
        if isinstance(key, Ed25519PublicKey):
            keys[key_id_of(key)] = key
    return keys


def _configured_key() -> Ed25519PrivateKey | None:
    text = getattr(settings, "ANNEAL_AUDIT_SIGNING_KEY", None) or os.environ.get("ANNEAL_AUDIT_SIGNING_KEY")
    return parse_private_key(text) if text else None


def current_key() -> tuple[str, Ed25519PrivateKey]:
    """The signing key, creating (and storing, encrypted) one when none is configured."""
    configured = _configured_key()
    if configured is not None:
        key_id = key_id_of(configured.public_key())
        AuditSigningKey.objects.get_or_create(key_id=key_id, defaults={
            "public_key": public_pem(configured.public_key()), "active": True})
        return key_id, configured
    with transaction.atomic():
        stored = AuditSigningKey.objects.select_for_update().filter(active=True).exclude(
            encrypted_private_key="").order_by("-id").first()
        if stored is not None:
            return stored.key_id, parse_private_key(secrets.decrypt(stored.encrypted_private_key))
        private = Ed25519PrivateKey.generate()
        key_id = key_id_of(private.public_key())
        AuditSigningKey.objects.create(key_id=key_id, public_key=public_pem(private.public_key()),
                                       encrypted_private_key=secrets.encrypt(private_pem(private)))
        return key_id, private


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key that ever signed a checkpoint here, by key id."""
    keys = {}
    for key_id, pem in AuditSigningKey.objects.values_list("key_id", "public_key"):
        loaded = serialization.load_pem_public_key(pem.encode())
        assert isinstance(loaded, Ed25519PublicKey)
        keys[key_id] = loaded
    return keys


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """The keys verification trusts, by key id.

    ``ANNEAL_AUDIT_PUBLIC_KEYS`` (setting or environment variable: PEM public keys, as
    ``anneal audit public-key`` prints them) pins them outside the database; without it every
    key in the database is trusted, and whoever can write to the database can add one.
    """
    text = getattr(settings, "ANNEAL_AUDIT_PUBLIC_KEYS", None) or os.environ.get("ANNEAL_AUDIT_PUBLIC_KEYS")
    if not text:
        return public_keys()
    keys = parse_public_keys(text)
    if not keys:
        raise SigningKeyInvalid("ANNEAL_AUDIT_PUBLIC_KEYS holds no Ed25519 public key (PEM): copy the output of "
                                "`anneal audit public-key`.")
    return keys


def public_keys_pem() -> str:
    return "".join(AuditSigningKey.objects.order_by("id").values_list("public_key", flat=True))


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    """The Ed25519 signature of ``message``, in base64."""
    return base64.b64encode(private_key.sign(message)).decode()
