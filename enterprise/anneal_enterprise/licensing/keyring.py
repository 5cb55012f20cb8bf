"""The public keys that license keys are verified against.

Shipped keys live in ``keys/`` with a manifest (``keys.json``) saying whether each is a
``production`` or a ``test`` key. The vendor holds the private halves; none is in the repository.

``ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS`` (a Django setting, or the environment variable of the same
name holding JSON) adds keys: a mapping of key id to an Ed25519 public key as PEM text or as
the base64 of its 32 raw bytes. Extra keys are always ``test`` keys, and a license signed with
one says so everywhere it is shown. Tests use them to sign throwaway licenses; an extra key can
never replace a shipped key id.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

logger = logging.getLogger(__name__)

KeyKind = Literal["production", "test"]
SETTING = "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS"


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    kind: KeyKind
    key: Ed25519PublicKey
    shipped: bool


def _load_public_key(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


@lru_cache(maxsize=1)
def shipped_keys() -> dict[str, PublicKey]:
    folder = resources.files("anneal_enterprise.licensing").joinpath("keys")
    manifest = json.loads(folder.joinpath("keys.json").read_text("utf-8"))
    keys = {}
    for key_id, entry in manifest.items():
        key = _load_public_key(folder.joinpath(entry["file"]).read_text("ascii"))
        keys[key_id] = PublicKey(key_id, entry["kind"], key, shipped=True)
    return keys


def _extra_setting() -> dict[str, str]:
    from django.conf import settings

    value: Any = getattr(settings, SETTING, None)
    if value is None:
        raw = os.environ.get(SETTING, "").strip()
        value = json.loads(raw) if raw else {}
    return dict(value)


def extra_keys() -> dict[str, PublicKey]:
    keys = {}
    for key_id, text in _extra_setting().items():
        if key_id in shipped_keys():
            logger.warning("%s: ignoring key id %r, which is a shipped key.", SETTING, key_id)
            continue
        try:
            keys[key_id] = PublicKey(key_id, "test", _load_public_key(text), shipped=False)
        except (ValueError, TypeError) as error:
            logger.error("%s: key %r is not an Ed25519 public key (%s); ignored.", SETTING, key_id, error)
    return keys


def all_keys() -> dict[str, PublicKey]:
    return {**extra_keys(), **shipped_keys()}


def public_key_text(key: Ed25519PublicKey) -> str:
    """The base64 of a public key's 32 raw bytes, as ``ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS`` accepts it."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")
