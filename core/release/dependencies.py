"""The installed distributions a release ships: the product's own and every runtime dependency.

The tree is read from installed metadata (``Requires-Dist``), with environment markers evaluated
for this interpreter and the extras each requirement asks for (``celery[redis]`` brings
``redis``). Test and development extras are not followed: they do not ship.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CORE = "anneal"
SHIPPED = (CORE, "anneal-enterprise", "anneal-webhooks", "anneal-prompts")


class MissingDistribution(LookupError):
    """A distribution of the tree is not installed, so nothing complete can be said about it."""


@dataclass
class Installed:
    name: str
    version: str
    distribution: metadata.Distribution = field(repr=False)
    required_by: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


def _find(name: str) -> metadata.Distribution:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise MissingDistribution(f"{name} is required but not installed") from None


def _wanted(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""})


def tree(roots: Iterable[str] = SHIPPED) -> dict[str, Installed]:
    """Every distribution reachable from ``roots``, keyed by canonical name, sorted."""
    found: dict[str, Installed] = {}
    extras_seen: dict[str, set[str]] = {}
    pending: list[tuple[str, set[str], str | None]] = [(name, set(), None) for name in roots]
    while pending:
        name, extras, parent = pending.pop()
        key = canonicalize_name(name)
        if key not in found:
            distribution = _find(name)
            found[key] = Installed(distribution.metadata["Name"], distribution.version, distribution)
            extras_seen[key] = set()
        elif extras <= extras_seen[key]:
            if parent:
                found[key].required_by.add(parent)
            continue
        if parent:
            found[key].required_by.add(parent)
        extras_seen[key] |= extras
        for text in found[key].distribution.requires or []:
            requirement = Requirement(text)
            if _wanted(requirement, extras_seen[key]):
                pending.append((requirement.name, set(requirement.extras), found[key].name))
    return dict(sorted(found.items()))
