#!/usr/bin/env python3
"""Build and sign an Anneal release (vendor tool; not part of any installed package).

    .venv/bin/python deploy/releases/build.py OUTDIR --private-key /secure/anneal-release-2026.key

The key pair comes from ``anneal release keygen DIRECTORY`` (outside the repository).

Run it from a checkout whose core, enterprise package and example plugins are installed (``./dev
test`` installs them). Offline: nothing is downloaded. It writes into OUTDIR (which must be empty
or absent):

* the sdist and the wheel of ``anneal``, ``anneal-enterprise``, ``anneal-webhooks`` and
  ``anneal-prompts``, built from a copy of the checkout with setuptools (no build isolation);
  the wheels of the enterprise package and the example plugins are signed with the release key
  as vendor "Anneal" (``anneal plugins sign``), so ``anneal plugins`` shows them as signed;
* ``sbom.cdx.json``: a CycloneDX 1.6 SBOM of every dependency that ships;
* ``licenses.json`` and ``licenses.txt``: each shipped dependency's license (the build stops if
  one is incompatible with Apache-2.0 and not reviewed, see ``core.release.licenses``);
* ``SHA256SUMS`` over all of that, and ``SHA256SUMS.sig``, its Ed25519 signature.

The private key comes from ``--private-key FILE`` or the ``ANNEAL_RELEASE_SIGNING_KEY``
environment variable (PEM text); it is never in the repository. Customers check a release with
``anneal release verify DIR`` (docs/releases.md), trusting the public half once it is in
``core/release/keys/`` (Anneal's own releases) or declared as a product's ``release_keys``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.plugins import signing as plugin_signing  # noqa: E402
from core.release import dependencies, licenses, sbom, signing  # noqa: E402
from core.release.verify import sign_release  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

ENV_VARIABLE = signing.SIGNING_KEY_ENV
# Each distribution of a release: its folder, and what of the folder it builds from.
#: The vendor named in the plugin wheels' signatures (``anneal plugins sign``), made with the release key.
PLUGIN_VENDOR = "Anneal"

DISTRIBUTIONS = {
    "anneal": (ROOT, {"pyproject.toml", "README.md", "LICENSE", "core"}),
    "anneal-enterprise": (ROOT / "enterprise", None),
    "anneal-webhooks": (ROOT / "plugins" / "webhooks", None),
    "anneal-prompts": (ROOT / "plugins" / "prompts", None),
}
LEFTOVERS = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", "node_modules", "tests", ".venv")
BUILD = (
    "import sys; from setuptools import build_meta as backend; out = sys.argv[1]; "  # setuptools rewrites sys.argv
    "print(backend.build_sdist(out)); print(backend.build_wheel(out))"
)


class BuildError(Exception):
    pass


def _source_copy(folder: Path, keep: set[str] | None, into: Path) -> Path:
    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(LEFTOVERS(directory, names))
        if keep is not None and Path(directory) == folder:
            ignored |= {name for name in names if name not in keep}
        return ignored

    shutil.copytree(folder, into, ignore=ignore)
    return into


def build_distribution(name: str, out: Path, work: Path) -> list[Path]:
    folder, keep = DISTRIBUTIONS[name]
    source = _source_copy(folder, keep, work / name)
    # setuptools writes egg-info and build/ into the tree it builds: hence the copy.
    result = subprocess.run([sys.executable, "-c", BUILD, str(out)], cwd=source, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "PIP_NO_INDEX": "1"})
    if result.returncode != 0:
        raise BuildError(f"building {name} failed:\n{result.stdout}{result.stderr}")
    built = [out / line for line in result.stdout.split() if line.endswith((".tar.gz", ".whl"))]
    missing = [path.name for path in built if not path.is_file()]
    if len(built) != 2 or missing:
        raise BuildError(f"building {name} did not produce an sdist and a wheel:\n{result.stdout}{result.stderr}")
    return built


def _declared_version(name: str) -> str:
    folder, _ = DISTRIBUTIONS[name]
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    if "version" in project:
        return project["version"]
    from importlib.metadata import version

    return version(name)


def load_private_key(path: str | None) -> Ed25519PrivateKey:
    try:
        return signing.read_private_key(Path(path) if path else None)
    except ValueError as error:
        raise BuildError(str(error)) from None


def build_release(out: Path, key: Ed25519PrivateKey) -> list[str]:
    from core import __version__

    if out.exists() and any(out.iterdir()):
        raise BuildError(f"{out} is not empty; give a new directory.")
    for name in DISTRIBUTIONS:
        declared = _declared_version(name)
        if declared != __version__:
            raise BuildError(f"{name} is version {declared} but the core is {__version__}; bump them together.")
    installed = dependencies.tree(list(DISTRIBUTIONS))
    for name in DISTRIBUTIONS:
        if installed[name].version != __version__:
            raise BuildError(f"The installed {name} is {installed[name].version}, not {__version__}: install this "
                             "checkout first (./dev test installs it), so the SBOM describes what is built.")
    report = licenses.report(installed)
    refused = licenses.problems(report)
    if refused:
        raise BuildError("Dependencies whose license cannot ship:\n" + "\n".join(refused))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="anneal-release-") as work:
        for name in DISTRIBUTIONS:
            build_distribution(name, out, Path(work))
    for wheel in sorted(out.glob("*.whl")):
        if not wheel.name.startswith("anneal-"):  # the enterprise package and the example plugins
            plugin_signing.sign_wheel(wheel, key, PLUGIN_VENDOR)
    (out / "sbom.cdx.json").write_text(json.dumps(sbom.build(installed), indent=2) + "\n")
    (out / "licenses.json").write_text(json.dumps([e.as_dict() for e in report], indent=2) + "\n")
    (out / "licenses.txt").write_text(licenses.render_text(report))
    sign_release(out, key)
    return sorted(p.name for p in out.iterdir())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description="Build and sign an Anneal release.")
    parser.add_argument("out", type=Path, help="An empty or new directory for the release.")
    parser.add_argument("--private-key", help=f"PEM file of the Ed25519 release key (else ${ENV_VARIABLE}).")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    try:
        key = load_private_key(args.private_key)
        files = build_release(args.out, key)
    except BuildError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    sys.stdout.write(f"Release written to {args.out}: {len(files)} files, SHA256SUMS signed.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
