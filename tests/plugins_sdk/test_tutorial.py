"""docs/plugins/tutorial.md works as written: every file it shows, in a generated plugin, passes its tests.

The test follows the tutorial: ``anneal plugins new notes``, each ``<!-- tutorial: PATH -->`` block
written to PATH, ``anneal makemigrations anneal_notes``, the plugin installed with pip and its own
tests run on the embedded default.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from conftest import ROOT, SERVICES

TUTORIAL = ROOT / "docs" / "plugins" / "tutorial.md"
BLOCK = re.compile(r"<!-- tutorial: (?P<path>\S+) -->\n```(?:python|html)\n(?P<code>.*?)```", re.S)

pytestmark = pytest.mark.skipif(SERVICES, reason="the plugin's own suite runs on the embedded default; once is enough")


def test_the_tutorial_plugin_builds_migrates_installs_and_passes_its_own_tests(tmp_path, sandbox):
    text = TUTORIAL.read_text(encoding="utf-8")
    assert "    anneal plugins new notes\n" in text and "    anneal makemigrations anneal_notes\n" in text
    call_command("plugins", "new", "notes", directory=str(tmp_path), stdout=io.StringIO())
    plugin = tmp_path / "anneal-notes"
    blocks = list(BLOCK.finditer(text))
    assert {b["path"] for b in blocks} >= {"anneal_notes/models.py", "anneal_notes/hooks.py", "anneal_notes/api.py",
                                          "anneal_notes/tasks.py", "tests/test_plugin.py"}
    for block in blocks:
        target = plugin / block["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block["code"], encoding="utf-8")

    env = sandbox.install_plugin(plugin)
    migrations = subprocess.run([sys.executable, "-m", "core.cli", "makemigrations", "anneal_notes"], env=env,
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert migrations.returncode == 0, migrations.stdout + migrations.stderr
    assert (sandbox.site / "anneal_notes" / "migrations" / "0001_initial.py").is_file()
    tests = sandbox.run_plugin_tests(plugin, env)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert "8 passed" in tests.stdout


def test_every_file_the_tutorial_shows_is_complete_python_or_a_template():
    import ast

    for block in BLOCK.finditer(TUTORIAL.read_text(encoding="utf-8")):
        if block["path"].endswith(".py"):
            ast.parse(block["code"], filename=block["path"])
