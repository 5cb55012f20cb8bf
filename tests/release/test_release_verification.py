"""A release is signed and checks out offline; every way of tampering with it is refused by name."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from core import __version__
from core.release import checksums
from core.release.checksums import ChecksumError
from core.release.signing import public_key_pem

from .conftest import BuiltRelease, run_build

DISTRIBUTION_FILES = {
    f"{stem}-{__version__}{suffix}"
    for stem in ("anneal", "anneal_enterprise", "anneal_webhooks", "anneal_prompts")
    for suffix in ("-py3-none-any.whl", ".tar.gz")
}


def verify(directory: Path, *keys: Path) -> subprocess.CompletedProcess[str]:
    """The one command a customer runs, in a process of its own with every proxy closed."""
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed}
    arguments = [arg for key in keys for arg in ("--key", str(key))]
    return subprocess.run([sys.executable, "-m", "core.cli", "release", "verify", str(directory), *arguments],
                          capture_output=True, text=True, timeout=120, env=env)


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def verify_in_process(directory: Path, *keys: Path) -> Outcome:
    """The same command through Django's call_command: a process start costs seconds."""
    out, err = io.StringIO(), io.StringIO()
    arguments = [arg for key in keys for arg in ("--key", str(key))]
    try:
        call_command("release", "verify", str(directory), *arguments, stdout=out, stderr=err)
    except CommandError as error:
        return Outcome(1, out.getvalue(), err.getvalue() + str(error))
    return Outcome(0, out.getvalue(), err.getvalue())


def test_a_release_holds_sdist_and_wheel_of_each_distribution_the_sbom_licenses_and_signed_sums(built_release):
    names = {p.name for p in built_release.directory.iterdir()}
    assert names == DISTRIBUTION_FILES | {"sbom.cdx.json", "licenses.json", "licenses.txt", "SHA256SUMS",
                                          "SHA256SUMS.sig"}
    listed = checksums.parse((built_release.directory / "SHA256SUMS").read_text())
    assert set(listed) == names - {"SHA256SUMS", "SHA256SUMS.sig"}


def test_a_release_verifies_offline_with_one_command(built_release):
    result = verify(built_release.directory, built_release.public_key)
    assert result.returncode == 0, result.stderr
    assert "OK: 11 files match SHA256SUMS" in result.stdout


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def _tamper_artifact(release: Path) -> str:
    name = f"anneal-{__version__}-py3-none-any.whl"
    _flip_last_byte(release / name)
    return name


def _tamper_sums(release: Path) -> str:
    """An attacker swaps a file and writes its new digest into SHA256SUMS."""
    wheel = release / f"anneal_prompts-{__version__}-py3-none-any.whl"
    _flip_last_byte(wheel)
    sums = release / "SHA256SUMS"
    lines = [
        f"{hashlib.sha256(wheel.read_bytes()).hexdigest()}  {wheel.name}" if line.endswith(wheel.name) else line
        for line in sums.read_text().splitlines()
    ]
    sums.write_text("\n".join(lines) + "\n")
    return "SHA256SUMS.sig"


def _remove_file(release: Path) -> str:
    name = "sbom.cdx.json"
    (release / name).unlink()
    return name


def _add_file(release: Path) -> str:
    name = "anneal_backdoor-1.0-py3-none-any.whl"
    (release / name).write_bytes(b"PK\x03\x04 not listed")
    return name


def _add_file_in_a_folder(release: Path) -> str:
    (release / "extras").mkdir()
    (release / "extras" / "sitecustomize.py").write_text("import os\n")
    return "extras/sitecustomize.py"


def _truncate_signature(release: Path) -> str:
    signature = release / "SHA256SUMS.sig"
    signature.write_bytes(signature.read_bytes()[:40])
    return "SHA256SUMS.sig"


def _remove_signature(release: Path) -> str:
    (release / "SHA256SUMS.sig").unlink()
    return "SHA256SUMS.sig"


def _remove_sums(release: Path) -> str:
    (release / "SHA256SUMS").unlink()
    return "SHA256SUMS"


def _symlink_artifact(release: Path) -> str:
    name = f"anneal-{__version__}.tar.gz"
    real = release.parent / "elsewhere.tar.gz"
    shutil.move(release / name, real)
    (release / name).symlink_to(real)
    return name


@pytest.mark.parametrize("tamper", [
    _tamper_artifact, _tamper_sums, _remove_file, _add_file, _add_file_in_a_folder, _truncate_signature,
    _remove_signature, _remove_sums, _symlink_artifact,
], ids=lambda f: f.__name__.lstrip("_"))
def test_a_tampered_release_is_refused_naming_the_file(release_copy, built_release, tamper):
    name = tamper(release_copy)
    result = verify_in_process(release_copy, built_release.public_key)
    assert result.returncode != 0
    assert f"REFUSED {name}: " in result.stderr
    assert "do not install it" in result.stderr


def test_a_release_signed_with_another_key_is_refused(built_release, tmp_path):
    other = tmp_path / "other.pem"
    other.write_text(public_key_pem(Ed25519PrivateKey.generate().public_key()))
    result = verify_in_process(built_release.directory, other)
    assert result.returncode != 0
    assert "REFUSED SHA256SUMS.sig: does not match SHA256SUMS with the release key other.pem" in result.stderr


def test_without_key_only_the_trusted_release_keys_are_used_and_a_throwaway_signature_is_refused(built_release,
                                                                                                  monkeypatch):
    from core.release import keyring

    other = Ed25519PrivateKey.generate().public_key()
    monkeypatch.setattr(keyring, "shipped_keys", lambda: {"anneal-release-test": other})
    result = verify_in_process(built_release.directory)
    assert result.returncode != 0
    assert "REFUSED SHA256SUMS.sig: does not match SHA256SUMS with the release key anneal-release-test" in result.stderr


def test_a_key_file_that_is_not_a_public_key_is_a_clear_error(built_release):
    result = verify_in_process(built_release.directory, built_release.private_key)
    assert result.returncode != 0
    assert f"{built_release.private_key}: not an Ed25519 public key" in result.stderr


def test_the_signature_also_checks_with_openssl_and_the_sums_with_sha256sum(built_release):
    """docs/releases.md offers these for a first install, before any Anneal is installed."""
    if not shutil.which("openssl") or not shutil.which("sha256sum"):
        pytest.skip("openssl or sha256sum is not installed")
    release = built_release.directory
    signature = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(built_release.public_key), "-rawin",
         "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig"], cwd=release, capture_output=True, text=True)
    assert signature.returncode == 0 and "Signature Verified Successfully" in signature.stdout
    sums = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=release, capture_output=True,
                          text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr


def test_the_build_refuses_without_a_signing_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ANNEAL_RELEASE_SIGNING_KEY"}
    result = run_build(tmp_path / "out", env=env)
    assert result.returncode == 1
    assert "Give the release signing key with --private-key FILE or $ANNEAL_RELEASE_SIGNING_KEY" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_build_refuses_a_directory_that_is_not_empty(tmp_path, built_release):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = run_build(tmp_path / "out", "--private-key", str(built_release.private_key))
    assert result.returncode == 1 and "is not empty" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


# The checksum module on its own, as the air-gapped bundle uses it (no signature).

def test_checksums_round_trip_for_a_directory_with_folders(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "anneal.tar").write_bytes(b"\0" * 1000)
    (tmp_path / "README.md").write_text("install me\n")
    checksums.write(tmp_path)
    assert checksums.verify(tmp_path) == ["README.md", "images/anneal.tar"]


@pytest.mark.parametrize("line, problem", [
    (f"{'0' * 64}  ../etc/passwd", "outside the directory"),
    (f"{'0' * 64}  /etc/passwd", "outside the directory"),
    (f"{'0' * 63}  README.md", "is not '<sha256>  <file>'"),
    ("", "lists no files"),
])
def test_a_checksum_file_pointing_outside_or_malformed_is_refused(tmp_path, line, problem):
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "SHA256SUMS").write_text(line + "\n" if line else "")
    with pytest.raises(ChecksumError) as refused:
        checksums.verify(tmp_path)
    assert str(refused.value).startswith("SHA256SUMS: ") and problem in str(refused.value)


def test_a_file_listed_twice_is_refused(tmp_path):
    (tmp_path / "a").write_text("x")
    digest = hashlib.sha256(b"x").hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{digest}  a\n{digest}  a\n")
    with pytest.raises(ChecksumError, match="SHA256SUMS: line 2 lists a a second time"):
        checksums.verify(tmp_path)


def test_every_bad_file_is_named_not_only_the_first(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).write_text(name)
    checksums.write(tmp_path)
    (tmp_path / "a").write_text("changed")
    (tmp_path / "b").unlink()
    (tmp_path / "d").write_text("new")
    with pytest.raises(ChecksumError) as refused:
        checksums.verify(tmp_path)
    assert [(p.path, p.reason.split(" ")[0]) for p in refused.value.problems] == [
        ("a", "does"), ("b", "is"), ("d", "is")]
