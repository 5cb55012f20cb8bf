"""``anneal plugins new NAME``: a separately installable plugin whose tests pass out of the box.

The template lives next to this module as package data (``template/``). File and folder names
and file contents use ``string.Template`` placeholders: ``$name`` (the plugin and entry-point
name, e.g. ``hello-world``), ``$package`` (its import package, ``anneal_hello_world``),
``$distribution`` (``anneal-hello-world``), ``$title`` (``Hello World``), ``$core_range`` (the
core versions it supports) and ``$core_version``. Templates end in ``.tmpl`` so that tools do
not mistake them for the core's own code.
"""

from __future__ import annotations

import base64
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


def licensed_template_root() -> Traversable:
    """Files added to (or replacing those of) the template for ``--licensed``."""
    return resources.files("core.plugins.scaffold").joinpath("template_licensed")


def _vendor_key(values: dict[str, str]) -> bytes:
    """A new Ed25519 key pair for the plugin's vendor: the public half goes into the template."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    values["public_key"] = base64.b64encode(public).decode("ascii")
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


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


def create_plugin(name: str, directory: Path, *, licensed: bool = False) -> Path:
    """Write a new plugin called ``name`` into ``directory/<distribution>`` and return that path.

    ``licensed`` adds a licensed feature (``<name>.pro``), a vendor key pair (the public half in
    ``<package>/licensing.py``, the private half in ``vendor-keys/``, outside the package), the
    key-issuing tool ``tools/issue_key.py`` (outside the package too) and tests that issue a
    throwaway key.
    """
    values = placeholders(name)
    target = Path(directory) / values["distribution"]
    if target.exists():
        raise ScaffoldError(f"{target} already exists: choose another name or --directory.")
    files = dict(_walk(template_root(), Path()))
    private_pem = b""
    if licensed:
        values["key_id"] = f"{name}-production-1"
        values["test_keys_setting"] = values["package"].upper() + "_TEST_PUBLIC_KEYS"
        private_pem = _vendor_key(values)
        files.update(_walk(licensed_template_root(), Path()))
    for relative, source in files.items():
        path = Path(Template(str(relative)).substitute(values))
        if path.suffix == ".tmpl":
            path = path.with_suffix("")
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    ignored = "# A local Anneal instance's data (ANNEAL_DATA_DIR defaults to ./var) and build output.\n" \
              "var/\nbuild/\ndist/\n*.egg-info/\n__pycache__/\n"
    if licensed:
        keys = target / "vendor-keys"
        keys.mkdir()
        (keys / f"{values['key_id']}.pem").write_bytes(private_pem)
        (keys / f"{values['key_id']}.pem").chmod(0o600)
        ignored += "# The vendor's private keys: keep them offline, never commit them.\nvendor-keys/\n"
    (target / ".gitignore").write_text(ignored)
    return target
