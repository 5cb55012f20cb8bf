"""``anneal plugins test``: run a plugin's own tests against other Anneal releases before users do.

For each core wheel given (the current release's, the previous one's, a release candidate's),
the plugin and that core are installed side by side into a fresh folder that is put first on
``PYTHONPATH``, the plugin's tests run on the embedded default, and the outcome is reported.
A release outside the plugin's declared range (its ``anneal`` dependency in ``pyproject.toml``)
is skipped with the reason. Third-party packages (Django, DRF, ...) come from the environment
that runs the command, so a release that needs other versions of them is tested in its own
environment instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

Outcome = Literal["passed", "failed", "skipped"]


class CompatError(ValueError):
    """A plugin folder or a core wheel that cannot be tested."""


@dataclass(frozen=True)
class CompatResult:
    core_version: str
    outcome: Outcome
    detail: str
    output: str = ""


def plugin_range(plugin: Path) -> SpecifierSet | None:
    """The Anneal releases the plugin declares (its ``anneal`` dependency), or ``None`` for any."""
    try:
        project = tomllib.loads((plugin / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise CompatError(f"{plugin} has no readable pyproject.toml with a [project] table ({exc}).") from None
    for dependency in project.get("dependencies", []):
        try:
            requirement = Requirement(dependency)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == "anneal":
            return requirement.specifier
    return None


def core_wheels(paths: list[Path]) -> list[tuple[Version, Path]]:
    """The Anneal core wheels among ``paths`` (files, or folders searched for ``anneal-*.whl``), oldest first."""
    found = []
    for path in paths:
        if not path.exists():
            raise CompatError(f"{path} does not exist.")
        candidates = sorted(path.glob("anneal-*.whl")) if path.is_dir() else [path]
        for wheel in candidates:
            try:
                name, version, _, _ = parse_wheel_filename(wheel.name)
            except Exception:
                raise CompatError(f"{wheel} is not a wheel file name.") from None
            if canonicalize_name(name) != "anneal" or not wheel.is_file():
                raise CompatError(f"{wheel} is not an Anneal core wheel.")
            found.append((version, wheel))
    if not found:
        raise CompatError("No Anneal core wheel given: pass --core anneal-X.Y.Z-py3-none-any.whl (or a folder).")
    return sorted(found)


def _environment(site: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH"}}
    env.update({"PYTHONPATH": str(site), "ANNEAL_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "core.settings"})
    return env


def _run(command: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def run_against(plugin: Path, version: Version, wheel: Path, python: str = sys.executable,
                 timeout: float = 900) -> CompatResult:
    """Install ``wheel`` and the plugin into a fresh folder and run the plugin's tests there."""
    with tempfile.TemporaryDirectory(prefix=f"anneal-compat-{version}-") as folder:
        root = Path(folder)
        site, data, run_dir = root / "site", root / "data", root / "run"
        for directory in (site, data, run_dir):
            directory.mkdir()
        env = _environment(site, data)
        install = _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--no-build-isolation", "--no-index", "--target", str(site), str(wheel), str(plugin)],
                       env, run_dir, timeout)
        if install.returncode != 0:
            return CompatResult(str(version), "failed", "could not install the plugin with this core",
                                install.stdout + install.stderr)
        probe = _run([python, "-c", "import core; print(core.__version__); print(core.__file__)"], env, run_dir, 120)
        lines = probe.stdout.split()
        if probe.returncode != 0 or len(lines) < 2 or lines[0] != str(version) or not lines[1].startswith(str(site)):
            return CompatResult(str(version), "failed", "the environment did not load this core first "
                                                       f"(it found {' '.join(lines) or probe.stderr.strip()})")
        tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(plugin),
                      "-c", str(plugin / "pyproject.toml"), str(plugin / "tests")], env, run_dir, timeout)
        summary = (tests.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
        outcome: Outcome = "passed" if tests.returncode == 0 else "failed"
        return CompatResult(str(version), outcome, summary, tests.stdout + tests.stderr)


def run(plugin: Path, paths: list[Path], python: str = sys.executable) -> list[CompatResult]:
    """The plugin's tests against each core wheel its range admits, oldest release first."""
    plugin = plugin.resolve()
    if not (plugin / "tests").is_dir():
        raise CompatError(f"{plugin} has no tests/ folder to run.")
    supported = plugin_range(plugin)
    results = []
    for version, wheel in core_wheels(paths):
        if supported is not None and not supported.contains(version, prereleases=True):
            results.append(CompatResult(str(version), "skipped", f"outside the plugin's range anneal{supported}"))
            continue
        results.append(run_against(plugin, version, wheel.resolve(), python))
    return results
