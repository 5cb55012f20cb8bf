"""A CycloneDX 1.6 software bill of materials (JSON) of the installed dependency tree.

Built from installed distribution metadata, so it describes exactly what is installed where it
runs (``anneal release sbom`` on a server, ``deploy/releases/build.py`` for a release). Each
component carries its package URL (``pkg:pypi/<name>@<version>``), its license (an SPDX
expression where the metadata gives one, else the declared name) and the components it depends
on. ``SOURCE_DATE_EPOCH`` fixes the timestamp, for reproducible builds.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from typing import Any

from core import __version__
from core.release.dependencies import CORE, Installed
from core.release.licenses import LicenseEntry, describe

SPEC_VERSION = "1.6"


def purl(item: Installed) -> str:
    return f"pkg:pypi/{item.key}@{item.version}"


def _licenses(entry: LicenseEntry) -> list[dict[str, Any]]:
    if entry.spdx and entry.source in {"License-Expression", "License"}:
        return [{"expression": entry.spdx}]
    if entry.spdx:
        return [{"license": {"name": entry.spdx}}]
    if entry.declared:
        return [{"license": {"name": entry.declared}}]
    return []


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _component(item: Installed, kind: str) -> dict[str, Any]:
    entry = describe(item)
    component: dict[str, Any] = {
        "type": kind, "bom-ref": purl(item), "name": item.name, "version": item.version, "purl": purl(item),
    }
    if licenses := _licenses(entry):
        component["licenses"] = licenses
    if summary := item.distribution.metadata.get("Summary"):
        component["description"] = summary
    return component


def build(installed: dict[str, Installed], *, root: str = CORE) -> dict[str, Any]:
    """The CycloneDX document for ``installed``; ``root`` becomes the described application."""
    top = installed[root]
    refs = {key: purl(item) for key, item in installed.items()}
    return {
        "$schema": f"http://cyclonedx.org/schema/bom-{SPEC_VERSION}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(),
            "tools": {"components": [{"type": "application", "name": "anneal", "version": __version__,
                                      "description": "core.release.sbom"}]},
            "component": _component(top, "application"),
        },
        "components": [_component(item, "library") for key, item in installed.items() if key != top.key],
        "dependencies": [
            {"ref": refs[key],
             "dependsOn": [refs[other] for other, dependency in installed.items() if item.name in dependency.required_by]}
            for key, item in installed.items()
        ],
    }
