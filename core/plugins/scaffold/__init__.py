"""``anneal plugins new NAME``: a separately installable plugin whose tests pass out of the box.

The template lives next to this module as package data (``template/``). File and folder names
and file contents use ``string.Template`` placeholders: ``$name`` (the plugin and entry-point
name, e.g. ``hello-world``), ``$package`` (its import package, ``anneal_hello_world``),
``$distribution`` (``anneal-hello-world``), ``$title`` (``Hello World``), ``$core_range`` (the
core versions it supports) and ``$core_version``. Templates end in ``.tmpl`` so that tools do
not mistake them for the core's own code.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from packaging.version import Version

from core import __version__

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class ScaffoldError(ValueError):
    """The plugin cannot be created; the message says why and what to do."""


def core_range(version: str = __version__) -> str:
    """The core versions a new plugin supports: this minor release series.

    Before 1.0 every minor release may change the hook API, so ``0.1.3`` gives ``>=0.1,<0.2``;
    from 1.0 on the hook API only breaks in a major release, so ``1.4.0`` gives ``>=1.4,<2``.
    """
    parsed = Version(version)
    upper = f"{parsed.major}.{parsed.minor + 1}" if parsed.major == 0 else f"{parsed.major + 1}"
    return f">={parsed.major}.{parsed.minor},<{upper}"


def placeholders(name: str) -> dict[str, str]:
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(
            f"{name!r} is not a valid plugin name: use lowercase letters, digits and single "
            "hyphens, starting with a letter (for example 'hello-world')."
        )
    words = name.split("-")
    return {
        "name": name,
        "package": "anneal_" + "_".join(words),
        "distribution": f"anneal-{name}",
        "title": " ".join(word.capitalize() for word in words),
        "core_range": core_range(),
        "core_version": __version__,
    }


def template_root() -> Traversable:
    return resources.files("core.plugins.scaffold").joinpath("template")


def _walk(folder: Traversable, relative: Path) -> list[tuple[Path, Traversable]]:
    files = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            files += _walk(entry, relative / entry.name)
        else:
            files.append((relative / entry.name, entry))
    return files


def create_plugin(name: str, directory: Path) -> Path:
    """Write a new plugin called ``name`` into ``directory/<distribution>`` and return that path."""
    values = placeholders(name)
    target = Path(directory) / values["distribution"]
    if target.exists():
        raise ScaffoldError(f"{target} already exists: choose another name or --directory.")
    for relative, source in _walk(template_root(), Path()):
        path = Path(Template(str(relative)).substitute(values))
        if path.suffix == ".tmpl":
            path = path.with_suffix("")
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    return target
