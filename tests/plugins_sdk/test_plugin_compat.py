"""``anneal plugins test`` runs a plugin's own tests against each core release it admits.

Two real core wheels are built from copies of this checkout: this release, and the same code
relabelled as the next minor release. A generated plugin is tested against both.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import ROOT, SERVICES
from core import __version__
from core.plugins import compat

pytestmark = pytest.mark.skipif(SERVICES, reason="runs the plugin's tests on the embedded default; once is enough")

NEXT = f"{__version__.split('.')[0]}.{int(__version__.split('.')[1]) + 1}.0"


def _core_wheel(out: Path, version: str) -> Path:
    source = out / f"core-{version}"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "var", "node_modules", "build", "*.egg-info", "__pycache__", "enterprise", "plugins",
        "clients", "tests", "docs", "test-artifacts", "bench", "deploy"))
    init = source / "core" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text()))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-index", "--wheel-dir", str(out / "wheels"), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return next((out / "wheels").glob(f"anneal-{version}-*.whl"))


@pytest.fixture(scope="module")
def cores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cores")
    _core_wheel(out, __version__)
    _core_wheel(out, NEXT)
    return out / "wheels"


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    call_command("plugins", "new", "compat-check", directory=str(tmp_path), stdout=io.StringIO())
    return tmp_path / "anneal-compat-check"


def _widen(plugin: Path) -> None:
    """Declare support for any later release, as a careless author might."""
    for path in (plugin / "pyproject.toml", plugin / "anneal_compat_check" / "plugin.py"):
        path.write_text(re.sub(r">=\d+\.\d+,<\d+\.\d+", f">={__version__.rsplit('.', 1)[0]}", path.read_text()))


def test_a_release_outside_the_plugins_range_is_skipped_and_its_own_release_passes(plugin, cores):
    results = {r.core_version: r for r in compat.run(plugin, [cores])}
    assert results[__version__].outcome == "passed", results[__version__].output[-3000:]
    assert results[__version__].detail.startswith("3 passed")
    assert results[NEXT].outcome == "skipped"
    assert results[NEXT].detail.startswith("outside the plugin's range anneal")
    assert f"<{NEXT.rsplit('.', 1)[0]}" in results[NEXT].detail


def test_breakage_on_the_next_release_is_reported_before_users_see_it(plugin, cores):
    _widen(plugin)
    (plugin / "tests" / "test_release.py").write_text(
        "import core\n\n\ndef test_written_for_this_release_only():\n"
        f"    assert core.__version__ == {__version__!r}\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"The plugin's tests fail with Anneal {re.escape(NEXT)}"):
        call_command("plugins", "test", str(plugin), "--core", str(cores), stdout=out)
    text = out.getvalue()
    assert f"anneal {__version__}: passed (4 passed" in text
    assert f"anneal {NEXT}: failed (1 failed, 3 passed" in text
    assert "test_written_for_this_release_only" in text


def test_a_folder_without_tests_or_a_non_core_wheel_is_refused(plugin, tmp_path, cores):
    with pytest.raises(CommandError, match="has no tests/ folder"):
        call_command("plugins", "test", str(tmp_path), "--core", str(cores), stdout=io.StringIO())
    bogus = tmp_path / "other-1.0-py3-none-any.whl"
    bogus.write_bytes(b"")
    with pytest.raises(CommandError, match="is not an Anneal core wheel"):
        call_command("plugins", "test", str(plugin), "--core", str(bogus), stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("plugins", "test", str(plugin), "--core", str(tmp_path / "missing"), stdout=io.StringIO())
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="No Anneal core wheel given"):
        call_command("plugins", "test", str(plugin), "--core", str(tmp_path / "empty"), stdout=io.StringIO())
