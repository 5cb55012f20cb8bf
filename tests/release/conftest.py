"""A release built once per test session with a throwaway Ed25519 key, and copies to tamper with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.release.signing import private_key_pem, public_key_pem

REPO = Path(__file__).resolve().parents[2]
BUILD_TOOL = REPO / "deploy" / "releases" / "build.py"


@dataclass(frozen=True)
class BuiltRelease:
    directory: Path
    public_key: Path
    private_key: Path


def run_build(out: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BUILD_TOOL), str(out), *args], capture_output=True, text=True,
                          timeout=600, env=env or dict(os.environ), cwd=REPO)


@pytest.fixture(scope="session")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> BuiltRelease:
    keys = tmp_path_factory.mktemp("release-keys")
    key = Ed25519PrivateKey.generate()
    (keys / "throwaway.key").write_text(private_key_pem(key))
    (keys / "throwaway.pem").write_text(public_key_pem(key.public_key()))
    out = tmp_path_factory.mktemp("release") / "anneal-release"
    result = run_build(out, "--private-key", str(keys / "throwaway.key"))
    assert result.returncode == 0, result.stdout + result.stderr
    return BuiltRelease(out, keys / "throwaway.pem", keys / "throwaway.key")


@pytest.fixture
def release_copy(built_release: BuiltRelease, tmp_path: Path) -> Path:
    """A copy of the built release that a test may damage."""
    return Path(shutil.copytree(built_release.directory, tmp_path / "download"))


def build_wheel(source: Path, out: Path) -> Path:
    """Build ``source`` (a copy: setuptools writes into it) into a wheel in ``out``, offline."""
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta as b; out = sys.argv[1]; "
         "print(b.build_wheel(out))", str(out)], cwd=source, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / result.stdout.split()[-1]
