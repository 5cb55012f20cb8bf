"""Checking a downloaded release: ``SHA256SUMS`` is signed by a trusted key and lists exactly the files.

The signature is checked first: until it holds, the checksum list itself cannot be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

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
