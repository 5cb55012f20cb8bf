"""Helpers for the plugin SDK tests: throwaway installed distributions, ``anneal`` subprocesses
and the dummy plugin that implements every hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
DUMMY_DIST = Path(__file__).resolve().parent / "dummy_dist"

if str(DUMMY_DIST) not in sys.path:  # the dummy plugin is importable as ``anneal_dummy``
    sys.path.append(str(DUMMY_DIST))


def install_distribution(
    site: Path,
    distribution: str,
    entry_points: dict[str, str],
    files: dict[str, str] | None = None,
    version: str = "1.0.0",
) -> Path:
    """Install a distribution the way pip lays it out: a ``.dist-info`` with its entry points.

    ``files`` maps paths relative to ``site`` to their source. Put ``site`` on ``PYTHONPATH``
    and ``importlib.metadata`` finds the distribution like any installed one.
    """
    site.mkdir(parents=True, exist_ok=True)
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
    lines = ["[anneal]"] + [f"{name} = {target}" for name, target in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for relative, source in (files or {}).items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return site


def anneal_environment(tmp_path: Path, *pythonpath: Path, **extra: str) -> dict[str, str]:
    """The environment of an ``anneal`` child process: the test's own, plus extra import paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNEAL_PLUGINS_") and k != "ANNEAL_TRACE_HOOKS"}
    paths = [str(p) for p in pythonpath] + [str(ROOT)]
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["ANNEAL_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def run_anneal(
    args: list[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )


def plugins_json(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``anneal plugins --json`` in a child process, keyed by plugin name."""
    result = run_anneal(["plugins", "--json"], env)
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


@pytest.fixture
def dummy_plugin(anneal_plugin: Callable[..., Any]) -> Iterator[Any]:
    """The plugin implementing every hook, registered for one test, with its call log cleared."""
    from anneal_dummy import plugin

    plugin.CALLS.clear()
    anneal_plugin(plugin, name="dummy")
    yield plugin
    plugin.CALLS.clear()


class Sandbox:
    """A throwaway site-packages folder and ``anneal`` child processes that see it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.site = tmp_path / "site"
        self.site.mkdir()
        self.paths: list[Path] = [self.site]

    def install(self, distribution: str, entry_points: dict[str, str], files: dict[str, str] | None = None,
                version: str = "1.0.0") -> None:
        install_distribution(self.site, distribution, entry_points, files, version)

    def env(self, **extra: str) -> dict[str, str]:
        return anneal_environment(self.tmp_path, *self.paths, **extra)

    def run(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return run_anneal(list(args), self.env(**extra_env))

    def plugins(self, **extra_env: str) -> dict[str, dict[str, Any]]:
        return plugins_json(self.env(**extra_env))

    def install_plugin(self, plugin: Path) -> dict[str, str]:
        """``pip install`` a plugin's source folder here; the environment to run it on the embedded default.

        The plugin's own suite runs on the embedded default: in services mode the parent run
        already owns the PostgreSQL test database that pytest-django would create again.
        """
        install = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "--no-index", "--target", str(self.site), str(plugin)],
            capture_output=True, text=True, timeout=300,
        )
        assert install.returncode == 0, install.stdout + install.stderr
        env = self.env()
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        return env

    def run_plugin_tests(self, plugin: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """The plugin's own tests, run from a folder without its source (imported from the installation)."""
        run_dir = self.tmp_path / "run"
        run_dir.mkdir(exist_ok=True)
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(plugin),
             "-c", str(plugin / "pyproject.toml"), str(plugin / "tests")],
            env=env, cwd=run_dir, capture_output=True, text=True, timeout=600,
        )


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


@pytest.fixture
def dummy_dist() -> Path:
    """The folder holding the ``anneal_dummy`` package (without its ``.dist-info``)."""
    return DUMMY_DIST
