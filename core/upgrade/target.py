"""The version to upgrade to, examined in a process of its own: :class:`TargetFacts`.

From a wheelhouse, only the wheels whose version differs from what is installed are unpacked,
into a temporary folder put first on ``PYTHONPATH``; everything else comes from this
installation, exactly as ``pip install --no-index --find-links WHEELHOUSE`` over it would leave
it. With ``--python``, the probe runs in that (already installed) new version's interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from core.plugins.types import UpgradeTarget

PROBE = Path(__file__).with_name("probe.py")


class TargetError(Exception):
    """The new version could not be examined; the message says why and what to do."""


@dataclass(frozen=True)
class TargetFacts:
    version: str
    plugins: list[dict[str, Any]]
    required_stops: list[dict[str, str]]
    migrations: dict[str, Any]
    distributions: dict[str, str]
    search_path: list[str] = field(default_factory=list)
    core_location: str = ""

    def as_target(self) -> UpgradeTarget:
        locations = {}
        for plugin in self.plugins:
            if plugin.get("location"):
                locations[Path(plugin["location"]).name] = plugin["location"]
        if self.core_location:
            locations["core"] = self.core_location
        return UpgradeTarget(self.version, dict(self.distributions), locations, tuple(self.search_path))


def _installed_versions() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def _newest_wheels(wheelhouse: Path) -> dict[str, tuple[Version, Path]]:
    newest: dict[str, tuple[Version, Path]] = {}
    for wheel in sorted(wheelhouse.glob("*.whl")):
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            raise TargetError(f"{wheel.name} in {wheelhouse} is not a wheel file name.") from None
        if name not in newest or version > newest[name][0]:
            newest[name] = (version, wheel)
    return newest


def _unpack(wheel: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                path = PurePosixPath(member.filename)
                if path.is_absolute() or ".." in path.parts:
                    raise TargetError(f"{wheel.name} holds {member.filename!r}, outside the install folder.")
                parts = path.parts
                if len(parts) > 2 and parts[0].endswith(".data") and parts[1] in {"purelib", "platlib"}:
                    parts = parts[2:]
                elif parts and parts[0].endswith(".data"):
                    continue  # scripts and headers are not needed to examine the version
                target = into.joinpath(*parts)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
    except zipfile.BadZipFile:
        raise TargetError(f"{wheel.name} is not a readable wheel (damaged download?).") from None


@contextmanager
def unpacked_wheelhouse(wheelhouse: Path) -> Iterator[Path]:
    """A temporary folder holding the wheelhouse's wheels that differ from what is installed."""
    wheelhouse = Path(wheelhouse)
    if not wheelhouse.is_dir():
        raise TargetError(f"{wheelhouse} is not a directory of wheels.")
    newest = _newest_wheels(wheelhouse)
    if "anneal" not in newest:
        raise TargetError(f"{wheelhouse} has no anneal-*.whl: it is not an Anneal wheelhouse.")
    installed = _installed_versions()
    with tempfile.TemporaryDirectory(prefix="anneal-upgrade-") as scratch:
        root = Path(scratch)
        for name, (version, wheel) in newest.items():
            if installed.get(name) != str(version) or name == "anneal":
                _unpack(wheel, root)
        yield root


def run_probe(python: str, *, pythonpath: Path | None, large_table_rows: int) -> TargetFacts:
    # Strict mode would stop the new version at the first refused plugin; the check reports them all.
    env = {**os.environ, "ANNEAL_PLUGINS_STRICT": "0"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), *filter(None, [env.get("PYTHONPATH")])])
    try:
        result = subprocess.run([python, "-P", str(PROBE), "--large-table-rows", str(large_table_rows)],
                                capture_output=True, text=True, timeout=600, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TargetError(f"The new version could not be started with {python}: {error}") from None
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise TargetError(f"The new version could not be examined (exit status {result.returncode}):\n"
                          f"{(result.stderr or result.stdout)[-2000:]}") from None
    if report.get("error"):
        raise TargetError(f"The new version fails to start here: {report['error']}\n{report.get('traceback', '')[-2000:]}")
    return TargetFacts(
        version=report["version"], plugins=report["plugins"], required_stops=report["required_stops"],
        migrations=report["migrations"], distributions=report["distributions"],
        search_path=report.get("sys_path", []), core_location=report.get("core_location", ""),
    )


@contextmanager
def examine_wheelhouse(wheelhouse: Path, *, large_table_rows: int) -> Iterator[TargetFacts]:
    """The facts of the wheelhouse's version; its unpacked files stay readable inside the ``with``."""
    with unpacked_wheelhouse(wheelhouse) as root:
        yield run_probe(sys.executable, pythonpath=root, large_table_rows=large_table_rows)


@contextmanager
def examine_installation(python: str, *, large_table_rows: int) -> Iterator[TargetFacts]:
    if not shutil.which(python) and not Path(python).is_file():
        raise TargetError(f"{python} is not an interpreter: give the new installation's python, "
                          "e.g. /opt/anneal-new/bin/python.")
    yield run_probe(python, pythonpath=None, large_table_rows=large_table_rows)
