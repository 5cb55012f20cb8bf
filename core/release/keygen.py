"""A new release key pair for a vendor: ``<key id>.key`` (private, mode 0600) and ``<key id>.pem`` (public).

The private key must live outside any repository, as license signing keys do: a directory inside
a git checkout is refused, and an existing key file is never overwritten.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.release import signing

_KEY_ID = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,63}\Z")


class KeygenRefused(Exception):
    """Nothing was written; the message says why and what to do."""


@dataclass(frozen=True)
class KeyPair:
    key_id: str
    private_path: Path
    public_path: Path
    public_base64: str


def default_key_id() -> str:
    from core import product

    return f"{product.current().file_prefix}-release-{datetime.now(timezone.utc).year}"


def enclosing_checkout(directory: Path) -> Path | None:
    """The git work tree ``directory`` is in, if any."""
    for folder in (directory, *directory.parents):
        if (folder / ".git").exists():
            return folder
    return None


def generate(directory: Path, key_id: str | None = None) -> KeyPair:
    key_id = key_id or default_key_id()
    if not _KEY_ID.match(key_id):
        raise KeygenRefused(f"{key_id!r} is not a key id: use lowercase letters, digits, '.', '_' and '-'.")
    directory = Path(directory).expanduser().resolve()
    checkout = enclosing_checkout(directory)
    if checkout is not None:
        raise KeygenRefused(f"{directory} is inside the git checkout {checkout}: a release private key must live "
                            "outside any repository (a secrets store, an offline disk). Name another directory.")
    private_path, public_path = directory / f"{key_id}.key", directory / f"{key_id}.pem"
    for path in (private_path, public_path):
        if path.exists():
            raise KeygenRefused(f"{path} exists already; it is never overwritten. Choose another --key-id.")
    directory.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(signing.private_key_pem(key))
    public_path.write_text(signing.public_key_pem(key.public_key()))
    return KeyPair(key_id, private_path, public_path, signing.public_key_base64(key.public_key()))
