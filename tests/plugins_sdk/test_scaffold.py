"""``anneal plugins new``: the generated plugin installs with pip and its own tests pass."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from core import __version__
from core.plugins.scaffold import core_range


def _generate(tmp_path: Path, name: str = "hello-world") -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "plugins", "new", name, "--directory", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert f"Created the {name} plugin" in result.stdout
    return tmp_path / f"anneal-{name}"


def test_the_generated_plugin_declares_its_entry_point_and_core_range(tmp_path):
    call_command("plugins", "new", "hello-world", directory=str(tmp_path), stdout=io.StringIO())
    plugin = tmp_path / "anneal-hello-world"
    project = tomllib.loads((plugin / "pyproject.toml").read_text())
    assert project["project"]["name"] == "anneal-hello-world"
    assert project["project"]["entry-points"]["anneal"] == {"hello-world": "anneal_hello_world.plugin"}
    assert project["project"]["dependencies"] == [f"anneal{core_range()}"]
    entry = (plugin / "anneal_hello_world" / "plugin.py").read_text()
    assert f'anneal_requires = "{core_range()}"' in entry
    for path in ["README.md", "anneal_hello_world/apps.py", "anneal_hello_world/hooks.py",
                 "anneal_hello_world/templates/anneal_hello_world/index.html", "tests/test_plugin.py"]:
        assert (plugin / path).is_file(), path
    assert not list(plugin.rglob("*.tmpl"))
    assert "$" not in "".join(p.read_text() for p in plugin.rglob("*") if p.is_file())


def _install_and_run_its_tests(plugin: Path, sandbox: Any) -> subprocess.CompletedProcess[str]:
    """``pip install`` the plugin into the sandbox and run its tests from the installed copy."""
    return sandbox.run_plugin_tests(plugin, sandbox.install_plugin(plugin))


def test_a_generated_plugin_installs_with_pip_and_its_own_tests_pass(tmp_path, sandbox):
    plugin = _generate(tmp_path)
    tests = _install_and_run_its_tests(plugin, sandbox)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "3 passed" in tests.stdout
    assert (sandbox.site / "anneal_hello_world-0.1.0.dist-info" / "entry_points.txt").is_file()


GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "writing-plugins.md"
GUIDE_BLOCK = re.compile(r"<!-- guide: (?P<path>\S+) -->\n```python\n(?P<code>.*?)```", re.S)


def test_the_code_in_the_writing_plugins_guide_works_in_a_generated_plugin(tmp_path, sandbox):
    call_command("plugins", "new", "hello-world", directory=str(tmp_path), stdout=io.StringIO())
    plugin = tmp_path / "anneal-hello-world"
    blocks = list(GUIDE_BLOCK.finditer(GUIDE.read_text(encoding="utf-8")))
    assert {b["path"] for b in blocks} == {"anneal_hello_world/hooks.py", "tests/test_greeting.py"}
    for block in blocks:
        with (plugin / block["path"]).open("a", encoding="utf-8") as target:
            target.write("\n\n" + block["code"])
    tests = _install_and_run_its_tests(plugin, sandbox)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "7 passed" in tests.stdout


@pytest.mark.parametrize("name", ["Hello", "hello_world", "x-", "9lives", "a--b", "a/b", ""])
def test_a_malformed_plugin_name_is_refused_with_the_rule(tmp_path, name):
    with pytest.raises(CommandError, match="lowercase letters, digits and single hyphens"):
        call_command("plugins", "new", name, directory=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "anneal-taken").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        call_command("plugins", "new", "taken", directory=str(tmp_path))


def test_the_core_range_covers_the_current_minor_series_before_1_0_and_the_major_after():
    assert core_range("0.1.3") == ">=0.1,<0.2"
    assert core_range("1.4.0") == ">=1.4,<2"
    from packaging.specifiers import SpecifierSet

    assert __version__ in SpecifierSet(core_range())


def test_a_generated_licensed_plugin_installs_and_its_tests_issue_a_throwaway_key(tmp_path, sandbox):
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "plugins", "new", "report-pack", "--licensed", "--directory", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    plugin = tmp_path / "anneal-report-pack"
    licensing = (plugin / "anneal_report_pack" / "licensing.py").read_text()
    assert '"report-pack-production-1": ("production", "' in licensing and 'FEATURE = "report-pack.pro"' in licensing
    private = plugin / "vendor-keys" / "report-pack-production-1.pem"
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert "vendor-keys/" in (plugin / ".gitignore").read_text()
    tests = _install_and_run_its_tests(plugin, sandbox)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "6 passed" in tests.stdout
    installed = {path.name for path in sandbox.site.rglob("*") if path.is_file()}
    assert "licensing.py" in installed
    assert not {"issue_key.py", "report-pack-production-1.pem"} & installed  # the vendor keeps them
