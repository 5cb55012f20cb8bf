"""The deploy scripts refuse bad input with a message saying what to do, and change nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DEPLOY


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def test_build_base_refuses_to_run_without_root_and_says_so() -> None:
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv (util-linux) is needed to drop root for this check")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "bash", str(DEPLOY / "docker" / "build-base.sh")]
    else:
        command = ["bash", str(DEPLOY / "docker" / "build-base.sh")]
    result = run(command, cwd="/")
    assert result.returncode == 1
    assert "build-base.sh needs root" in result.stderr


def test_build_bundle_refuses_a_directory_that_exists_and_leaves_it_alone(tmp_path: Path) -> None:
    existing = tmp_path / "bundle"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    result = run([str(DEPLOY / "airgap" / "build-bundle.sh"), str(existing)])
    assert result.returncode == 1
    assert "exists already; name a new directory" in result.stderr
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_build_bundle_without_a_directory_prints_its_usage() -> None:
    result = run([str(DEPLOY / "airgap" / "build-bundle.sh")])
    assert result.returncode == 2
    assert "usage: deploy/airgap/build-bundle.sh DIRECTORY [IMAGE ...]" in result.stderr

