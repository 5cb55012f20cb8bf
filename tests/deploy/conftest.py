"""Shared helpers for the deployment tests: paths and the tools the checks run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def venv_tool(name: str) -> str:
    """A console script installed next to this interpreter (hadolint, kubernetes-validate)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not installed; `./dev test` installs the test dependencies.")
    return found
