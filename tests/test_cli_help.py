"""`anneal --help` says what Anneal is and lists Anneal's own commands before anyone else's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def help_output(tmp_path_factory) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["ANNEAL_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    return subprocess.run([sys.executable, "-m", "core.cli", "--help"], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120).stdout


def test_help_starts_with_what_anneal_is(help_output):
    first_lines = help_output.split("Usage:")[0]
    assert first_lines.startswith("anneal ") and "Anneal: a self-hosted service" in first_lines


def test_anneals_commands_come_first_then_plugins_then_djangos(help_output):
    own = help_output.index("Anneal's commands:")
    plugins = help_output.index("Commands from installed plugins:")
    django = help_output.index("Django's commands")
    assert own < plugins < django
    section = help_output[own:plugins]
    for command in ("run", "worker", "beat", "doctor", "backup", "restore", "plugins"):
        assert f"\n  {command} " in section, command
    assert "migrate" not in section and "runserver" not in help_output[own:django]
    assert "\n  license " in help_output[plugins:django]  # the enterprise package's


def test_help_is_also_what_a_bare_anneal_prints():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    bare = subprocess.run([sys.executable, "-m", "core.cli"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert bare.returncode == 0 and "Anneal's commands:" in bare.stdout
