"""The instance's own Ed25519 key: generated on first use, stored encrypted at rest.

Its public key and fingerprint are on the License page; a vendor pins the fingerprint from the
first report (or from the customer reading it out) and every later report must be signed by it.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction

from anneal_enterprise.licensing import clock, keyring, services
from anneal_enterprise.licensing.models import InstanceKey
from core import secrets

PURPOSE = "anneal_enterprise.licensing.instance-key"


def _public_text(private: Ed25519PrivateKey) -> str:
    return keyring.public_key_text(private.public_key())


def _load(row: InstanceKey) -> Ed25519PrivateKey:
    seed = base64.b64decode(secrets.decrypt(row.encrypted_private_key, purpose=PURPOSE))
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key() -> tuple[InstanceKey, Ed25519PrivateKey]:
    """The newest instance key, generating and storing one on first use."""
    row = InstanceKey.objects.order_by("-id").first()
    if row is not None:
        return row, _load(row)
    with transaction.atomic():
        services.locked_state()  # one process generates it; the others wait and read it
        row = InstanceKey.objects.order_by("-id").first()
        if row is not None:
            return row, _load(row)
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
        row = InstanceKey.objects.create(
            key_id=keyring.fingerprint(private.public_key()).removeprefix("SHA256:").replace(":", "")[:16],
            public_key=_public_text(private),
            encrypted_private_key=secrets.encrypt(base64.b64encode(seed).decode("ascii"), purpose=PURPOSE),
            created_at=clock.now())
        return row, private


def public_key() -> Ed25519PublicKey:
    row, _ = signing_key()
    return keyring.load_public_key(row.public_key)


def describe() -> dict[str, str]:
    """What the License page shows: the key id, the public key (base64) and its fingerprint."""
    row, _ = signing_key()
    return {"key_id": row.key_id, "public_key": row.public_key,
            "fingerprint": keyring.fingerprint(keyring.load_public_key(row.public_key))}
