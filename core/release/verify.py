"""A release directory: signed by its vendor (``SHA256SUMS`` and ``SHA256SUMS.sig``), checked by a customer.

Checking verifies the signature first (with trusted keys, see :mod:`core.release.keyring`):
until it holds, the checksum list itself cannot be trusted. Then the directory must hold exactly
the files ``SHA256SUMS`` lists, each with its digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.release import checksums, signing
from core.release.checksums import SUMS_NAME, ChecksumError, Problem

SIGNATURE_NAME = SUMS_NAME + signing.SIGNATURE_SUFFIX


@dataclass(frozen=True)
class VerifiedRelease:
    key_id: str
    files: list[str]


class ReleaseRefused(Exception):
    """The release is not what the vendor signed; ``problems`` names each file at fault."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def verify_release(directory: Path, keys: Mapping[str, Ed25519PublicKey]) -> VerifiedRelease:
    directory = Path(directory)
    if not directory.is_dir():
        raise ReleaseRefused([Problem(str(directory), "is not a directory")])
    sums = directory / SUMS_NAME
    if not sums.is_file() or sums.is_symlink():
        raise ReleaseRefused([Problem(SUMS_NAME, "is missing: this is not a complete release")])
    try:
        key_id = signing.verify(sums, keys)
    except signing.SignatureError as error:
        raise ReleaseRefused([Problem(error.path, error.reason)]) from None
    try:
        files = checksums.verify(directory, exclude=[SIGNATURE_NAME])
    except ChecksumError as error:
        raise ReleaseRefused(error.problems) from None
    return VerifiedRelease(key_id, files)


def sign_release(directory: Path, key: Ed25519PrivateKey) -> list[str]:
    """Write ``SHA256SUMS`` for every file below ``directory`` and sign it; return the listed files.

    Raises :class:`ReleaseRefused` (nothing written) when the directory is missing, empty, or
    holds a symbolic link. An earlier ``SHA256SUMS`` and signature are replaced.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ReleaseRefused([Problem(str(directory), "is not a directory")])
    if not any(p.is_file() or p.is_symlink() for p in directory.rglob("*") if p.name not in {SUMS_NAME, SIGNATURE_NAME}):
        raise ReleaseRefused([Problem(str(directory), "holds no files to sign")])
    try:
        sums = checksums.write(directory, exclude=[SIGNATURE_NAME])
    except ChecksumError as error:
        raise ReleaseRefused(error.problems) from None
    signing.sign(sums, key)
    return sorted(checksums.parse(sums.read_text("utf-8")))
