"""The release public keys shipped with Anneal: ``keys/keys.json`` maps a key id to a PEM file.

A customer's installed Anneal checks the next release with these keys, so a release signed with
a key that is not here needs ``--key FILE`` (the key published by the vendor). The vendor holds
the private halves; none is in the repository. Rotating: ship the new key in a release signed
with the old one, then sign with the new key.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.release.signing import load_public_key


@lru_cache(maxsize=1)
def shipped_keys() -> dict[str, Ed25519PublicKey]:
    folder = resources.files("core.release").joinpath("keys")
    manifest = json.loads(folder.joinpath("keys.json").read_text("utf-8"))
    return {key_id: load_public_key(folder.joinpath(entry["file"]).read_text("ascii"))
            for key_id, entry in manifest.items()}
