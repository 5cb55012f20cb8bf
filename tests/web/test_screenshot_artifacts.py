"""Screenshots as CI artifacts: each `.ci/run` pass writes its own folder in the checkout, git ignores it,
and a page whose screenshot was not written fails the every-page test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.testing.page_checks import screenshot

ROOT = Path(__file__).resolve().parents[2]


class PageThatWritesNothing:
    """A browser page whose screenshot call returns without a file (a full disk, a crashed tab)."""

    def screenshot(self, path: str, full_page: bool) -> None:
        return None


class PageThatWrites:
    def screenshot(self, path: str, full_page: bool) -> None:
        Path(path).write_bytes(b"\x89PNG")


def test_a_screenshot_that_was_not_written_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNEAL_SCREENSHOT_DIR", str(tmp_path))
    (tmp_path / "members-375.png").write_bytes(b"left over from an earlier run")
    with pytest.raises(AssertionError, match="members-375.png was not written"):
        screenshot(PageThatWritesNothing(), "members-375")
    assert screenshot(PageThatWrites(), "members-1366") == tmp_path / "members-1366.png"


def test_both_ci_passes_write_screenshots_into_their_own_folder_in_the_checkout():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'ANNEAL_SCREENSHOT_DIR="$PWD/test-artifacts/screenshots/embedded"' in ci
    assert 'ANNEAL_SCREENSHOT_DIR="$PWD/test-artifacts/screenshots/services"' in ci


def test_git_ignores_the_screenshot_folder():
    ignored = subprocess.run(["git", "check-ignore", "-q", "test-artifacts/screenshots/embedded/x.png"],
                             cwd=ROOT, check=False)
    assert ignored.returncode == 0
