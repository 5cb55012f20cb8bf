"""The release public keys ``anneal release verify`` trusts, and where each one comes from.

* The keys the product in force declares (``Product.release_keys``, from a vendor's distribution
  built on Anneal). They replace Anneal's own: the product's customers check its vendor's
  releases.
* Otherwise the keys shipped with Anneal in ``keys/`` (``keys.json`` maps a key id to a PEM file).
  The repository ships none: whoever publishes releases of Anneal adds the public half of their
  key there (``anneal release keygen``); the private half never enters any repository.
* And, in both cases, ``ANNEAL_RELEASE_PUBLIC_KEYS``: a JSON object mapping key ids to public keys
  (PEM text or the base64 of the 32 raw bytes), for a key the vendor published after the
  installed release.

``anneal release verify --key FILE`` trusts only the keys it names.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.release.signing import load_public_key

SETTING = "ANNEAL_RELEASE_PUBLIC_KEYS"
SHIPPED = "shipped with Anneal"


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    key: Ed25519PublicKey
    origin: str


class KeyringError(ValueError):
    """A configured or declared release key cannot be used; the message names where it is."""


@lru_cache(maxsize=1)
def shipped_keys() -> dict[str, Ed25519PublicKey]:
    folder = resources.files("core.release").joinpath("keys")
    manifest = json.loads(folder.joinpath("keys.json").read_text("utf-8"))
    return {key_id: load_public_key(folder.joinpath(entry["file"]).read_text("ascii"))
            for key_id, entry in manifest.items()}


def _loaded(declared: object, where: str, origin: str) -> dict[str, TrustedKey]:
    if not isinstance(declared, dict):
        raise KeyringError(f"{where} must map key ids to public keys, not {type(declared).__name__}.")
    keys = {}
    for key_id, text in declared.items():
        try:
            keys[str(key_id)] = TrustedKey(str(key_id), load_public_key(str(text)), origin)
        except ValueError as error:
            raise KeyringError(f"{where}: key {key_id!r} is not an Ed25519 public key ({error}).") from None
    return keys


def product_keys() -> dict[str, TrustedKey]:
    from core import product

    current = product.current()
    if not current.release_keys:
        return {}
    where = f"The release keys of {current.name} (plugin {product.declared_by()})"
    return _loaded(dict(current.release_keys), where, f"declared by {current.name}")


def configured_keys() -> dict[str, TrustedKey]:
    from django.conf import settings

    raw = getattr(settings, SETTING, None) or os.environ.get(SETTING, "")
    if isinstance(raw, dict):
        return _loaded(raw, SETTING, SETTING)
    if not raw.strip():
        return {}
    try:
        declared = json.loads(raw)
    except ValueError:
        raise KeyringError(f'{SETTING} is not JSON; give {{"<key id>": "<public key>"}}.') from None
    return _loaded(declared, SETTING, SETTING)


def trusted_keys() -> dict[str, TrustedKey]:
    """Every key a release may be signed with here; raises :class:`KeyringError` on a bad one."""
    keys = product_keys() or {key_id: TrustedKey(key_id, key, SHIPPED) for key_id, key in shipped_keys().items()}
    for key_id, extra in configured_keys().items():
        if key_id in keys:
            raise KeyringError(f"{SETTING}: key id {key_id!r} is already trusted ({keys[key_id].origin}); "
                               "give the added key another id.")
        keys[key_id] = extra
    return keys
