"""``SHA256SUMS`` files: write one for a directory, verify a directory against one.

The format is GNU coreutils' (``sha256sum -c SHA256SUMS`` reads it): one line per file,
``<64 lowercase hex digits><two spaces><path>``, paths relative to the directory with ``/``
between folders, sorted. A verified directory holds exactly the listed files: a file that is
missing, differs, or is present but not listed is refused, each named. Symbolic links are refused
too (a link could point at anything).

    from core.release import checksums

    checksums.write(bundle_dir)                       # writes bundle_dir/SHA256SUMS
    checksums.verify(bundle_dir)                      # raises ChecksumError naming each bad file

``exclude`` names files (relative paths) that the sums file does not cover, such as its own
detached signature.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SUMS_NAME = "SHA256SUMS"
_LINE = re.compile(r"\A(?P<digest>[0-9a-f]{64}) [ *](?P<path>.+)\Z")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One file that failed verification, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ChecksumError(Exception):
    """A directory does not match its checksum file; ``problems`` names every file at fault."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _listing(directory: Path, skip: set[str]) -> tuple[list[str], list[Problem]]:
    """Every regular file below ``directory`` as a relative path, and the links found."""
    files, problems = [], []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if relative in skip:
            continue
        if path.is_symlink():
            problems.append(Problem(relative, "is a symbolic link; a release holds only regular files"))
        elif path.is_file():
            files.append(relative)
    return files, problems


def write(directory: Path, *, name: str = SUMS_NAME, exclude: Iterable[str] = ()) -> Path:
    """Hash every file below ``directory`` into ``directory/name`` and return its path."""
    directory = Path(directory)
    files, problems = _listing(directory, {name, *exclude})
    if problems:
        raise ChecksumError(problems)
    lines = [f"{sha256_file(directory / relative)}  {relative}\n" for relative in files]
    target = directory / name
    target.write_text("".join(lines), encoding="utf-8")
    return target


def _safe_relative(text: str) -> bool:
    path = PurePosixPath(text)
    return (
        "\\" not in text and not path.is_absolute() and ".." not in path.parts
        and path.as_posix() == text and text not in {"", "."}
    )


def parse(text: str, *, name: str = SUMS_NAME) -> dict[str, str]:
    """The ``path -> digest`` pairs of a checksum file; a malformed line raises, naming the file."""
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE.match(line)
        if not match:
            raise ChecksumError([Problem(name, f"line {number} is not '<sha256>  <file>'")])
        path = match["path"]
        if not _safe_relative(path):
            raise ChecksumError([Problem(name, f"line {number} names {path!r}, outside the directory")])
        if path in entries:
            raise ChecksumError([Problem(name, f"line {number} lists {path} a second time")])
        entries[path] = match["digest"]
    if not entries:
        raise ChecksumError([Problem(name, "lists no files")])
    return entries


def verify(directory: Path, *, name: str = SUMS_NAME, exclude: Iterable[str] = ()) -> list[str]:
    """Check every file below ``directory`` against ``directory/name``; return the verified paths.

    Raises :class:`ChecksumError` listing each file that is missing, differs, is a link or is
    not listed. Nothing is written.
    """
    directory = Path(directory)
    sums = directory / name
    if not sums.is_file() or sums.is_symlink():
        raise ChecksumError([Problem(name, "is missing")])
    try:
        text = sums.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ChecksumError([Problem(name, "is not UTF-8 text")]) from None
    expected = parse(text, name=name)
    present, problems = _listing(directory, {name, *exclude})
    for relative in sorted(set(present) - set(expected)):
        problems.append(Problem(relative, f"is not listed in {name}"))
    for relative, digest in sorted(expected.items()):
        path = directory / relative
        if relative not in present:
            if not path.is_symlink():
                problems.append(Problem(relative, f"is listed in {name} but missing"))
        elif sha256_file(path) != digest:
            problems.append(Problem(relative, f"does not match its SHA-256 in {name} (changed or damaged)"))
    if problems:
        raise ChecksumError(sorted(problems, key=lambda p: p.path))
    return sorted(expected)
