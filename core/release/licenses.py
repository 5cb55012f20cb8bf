"""The license of every shipped dependency, read from installed metadata, and the policy it must meet.

Evidence, strongest first: the ``License-Expression`` field (an SPDX expression, PEP 639), the
free-text ``License`` field when it is a recognisable short name, the ``License ::`` trove
classifiers, then the text of the license files the wheel ships. Each license is put in a class:

* ``permissive``: MIT, BSD, Apache-2.0, ISC, PSF and the like. Fine to ship with Apache-2.0 code;
* ``weak-copyleft``: LGPL, MPL, EPL. Fine as an unmodified, separately importable library, but
  each one is reviewed by a person and recorded in :data:`REVIEWED`;
* ``copyleft``: GPL, AGPL, SSPL. Incompatible with shipping the core under Apache-2.0;
* ``proprietary``: Anneal's own enterprise license;
* ``unknown``: no usable metadata.

:func:`problems` refuses anything but ``permissive`` unless :data:`REVIEWED` holds an entry for
that distribution *and* the exact declaration found (so a dependency that changes its license
is reviewed again). Anneal's own distributions are reported but not judged.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Literal

from core.release.dependencies import SHIPPED, Installed

Verdict = Literal["permissive", "weak-copyleft", "copyleft", "proprietary", "unknown"]
_RANK: dict[Verdict, int] = {"permissive": 0, "weak-copyleft": 1, "proprietary": 2, "unknown": 3, "copyleft": 4}

PERMISSIVE_IDS = {
    "MIT", "MIT-0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Apache-2.0", "ISC", "PSF-2.0",
    "Python-2.0", "Unlicense", "CC0-1.0", "Zlib", "HPND", "BSL-1.0", "X11", "MIT-CMU",
}
WEAK_COPYLEFT_PREFIXES = ("LGPL-", "MPL-", "EPL-", "CDDL-")
COPYLEFT_PREFIXES = ("GPL-", "AGPL-", "SSPL-", "EUPL-", "OSL-")
OWN_LICENSE_REFS = {"LicenseRef-Anneal-Enterprise"}

# Free-text names seen in the wild for the SPDX ids above.
_NAMES = {
    "mit": "MIT", "mit license": "MIT", "the mit license (mit)": "MIT", "expat": "MIT",
    "bsd-3-clause": "BSD-3-Clause", "bsd 3-clause": "BSD-3-Clause", "bsd 3-clause license": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause", "new bsd": "BSD-3-Clause", "new bsd license": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause", "bsd-2-clause": "BSD-2-Clause", "simplified bsd": "BSD-2-Clause",
    "apache-2.0": "Apache-2.0", "apache 2.0": "Apache-2.0", "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0", "apache software license": "Apache-2.0",
    "isc": "ISC", "isc license": "ISC", "isc license (iscl)": "ISC", "psf": "PSF-2.0",
    "psf-2.0": "PSF-2.0", "python software foundation license": "PSF-2.0", "unlicense": "Unlicense",
    "the unlicense (unlicense)": "Unlicense", "mpl-2.0": "MPL-2.0", "mpl 2.0": "MPL-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0", "zlib": "Zlib",
}
# "BSD" with no version: every BSD variant is permissive, so the class is certain.
_FAMILIES = {"bsd": "permissive", "bsd license": "permissive"}
_TEXT_FINGERPRINTS = (
    ("Permission is hereby granted, free of charge, to any person obtaining a copy", "MIT"),
    ("Apache License\n", "Apache-2.0"),
    ("Redistribution and use in source and binary forms", "BSD-3-Clause"),
)
_TEXT_COPYLEFT = ("GNU GENERAL PUBLIC LICENSE", "GNU AFFERO GENERAL PUBLIC LICENSE", "Server Side Public License")


@dataclass(frozen=True)
class Review:
    """A person's decision about a dependency whose license is not plainly permissive."""

    declared: str
    decision: str


# Keyed by canonical distribution name. ``declared`` must equal what the metadata says.
REVIEWED: dict[str, Review] = {
    "psycopg": Review(
        "LGPL-3.0-only",
        "LGPL-3.0: shipped unmodified as a separate, dynamically imported package with its source "
        "available from PyPI; a user can replace it (LGPL-3.0 section 4). Compatible with Apache-2.0 code.",
    ),
    "psycopg-binary": Review(
        "LGPL-3.0-only",
        "As psycopg; the wheel bundles libpq (PostgreSQL License, permissive) as shared libraries.",
    ),
    "certifi": Review(
        "MPL-2.0",
        "MPL-2.0 is file-level copyleft; the CA bundle is shipped unmodified. Compatible with Apache-2.0.",
    ),
}


@dataclass(frozen=True)
class LicenseEntry:
    distribution: str
    version: str
    declared: str
    source: Literal["License-Expression", "License", "classifiers", "license file", "none"]
    spdx: str | None
    verdict: Verdict
    review: str | None
    own: bool
    required_by: list[str]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _id_verdict(identifier: str) -> Verdict:
    identifier = identifier.removesuffix("+").removesuffix("-or-later").removesuffix("-only")
    if identifier in PERMISSIVE_IDS:
        return "permissive"
    if identifier in OWN_LICENSE_REFS:
        return "proprietary"
    if identifier.startswith(WEAK_COPYLEFT_PREFIXES):
        return "weak-copyleft"
    if identifier.startswith(COPYLEFT_PREFIXES):
        return "copyleft"
    return "unknown"


_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")


def expression_verdict(expression: str) -> Verdict:
    """The class of an SPDX expression: the best of ``OR`` choices, the worst of ``AND`` parts."""
    tokens = _TOKEN.findall(expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def factor() -> Verdict:
        nonlocal position
        token = peek()
        if token is None:
            return "unknown"
        position += 1
        if token == "(":
            verdict = disjunction()
            if peek() == ")":
                position += 1
            return verdict
        verdict = _id_verdict(token)
        if peek() == "WITH":  # an exception only ever relaxes a license
            position += 2
        return verdict

    def conjunction() -> Verdict:
        nonlocal position
        verdict = factor()
        while peek() == "AND":
            position += 1
            verdict = max(verdict, factor(), key=_RANK.__getitem__)
        return verdict

    def disjunction() -> Verdict:
        nonlocal position
        verdict = conjunction()
        while peek() == "OR":
            position += 1
            verdict = min(verdict, conjunction(), key=_RANK.__getitem__)
        return verdict

    verdict = disjunction()
    return verdict if position == len(tokens) else "unknown"


def _from_name(text: str) -> tuple[str | None, Verdict] | None:
    name = " ".join(text.split()).lower()
    if name in _NAMES:
        return _NAMES[name], _id_verdict(_NAMES[name])
    if name in _FAMILIES:
        return None, _FAMILIES[name]  # type: ignore[return-value]
    parts = re.split(r" (OR|AND) ", " ".join(text.split()))
    if len(parts) > 1:
        names = [_NAMES.get(part.lower(), part) if i % 2 == 0 else part for i, part in enumerate(parts)]
        spdx = " ".join(names)
        verdict = expression_verdict(spdx)
        return (spdx, verdict) if verdict != "unknown" else None
    return None


def _from_classifiers(classifiers: list[str]) -> tuple[str | None, Verdict] | None:
    names = [c.split(" :: ")[-1] for c in classifiers if c.startswith("License :: ")]
    names = [n for n in names if n not in {"OSI Approved", "Other/Proprietary License"}] or names
    if not names:
        return None
    found = [_from_name(name) or (None, _keyword_verdict(name)) for name in names]
    # Several classifiers mean "any of these" (dual licensing), as pip and PyPI read them.
    best = min(found, key=lambda pair: _RANK[pair[1]])
    return best


def _keyword_verdict(text: str) -> Verdict:
    lowered = text.lower()
    if "affero" in lowered or "server side public" in lowered:
        return "copyleft"
    if "lesser" in lowered or "library general" in lowered or "lgpl" in lowered or "mozilla" in lowered:
        return "weak-copyleft"
    if "general public license" in lowered or re.search(r"\bgpl", lowered):
        return "copyleft"
    return "unknown"


def _from_license_files(installed: Installed) -> tuple[str | None, Verdict] | None:
    texts = []
    for path in installed.distribution.files or []:
        if "/licenses/" in str(path) or path.name.upper().startswith(("LICENSE", "COPYING")):
            try:
                texts.append(path.locate().read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    if not texts:
        return None
    if any(marker in text for text in texts for marker in _TEXT_COPYLEFT):
        return None, "copyleft"
    for fingerprint, spdx in _TEXT_FINGERPRINTS:
        if all(fingerprint in text for text in texts[:1]):
            return spdx, "permissive"
    return None


def describe(installed: Installed, own_names: Collection[str] = SHIPPED) -> LicenseEntry:
    """``own_names``: canonical names of the distributions the vendor ships as its own (reported, not judged)."""
    metadata = installed.distribution.metadata
    own = installed.key in own_names
    expression = (metadata.get("License-Expression") or "").strip()
    text = (metadata.get("License") or "").strip()
    classifiers = [c for c in metadata.get_all("Classifier") or [] if c.startswith("License :: ")]
    source: str
    if expression:
        declared, source, spdx, verdict = expression, "License-Expression", expression, expression_verdict(expression)
    else:
        declared, source, spdx, verdict = "", "none", None, "unknown"
        if text and len(text) <= 100 and (named := _from_name(text)) is not None:
            declared, source, (spdx, verdict) = text, "License", named
        elif classifiers and (classified := _from_classifiers(classifiers)) is not None:
            declared, source, (spdx, verdict) = "; ".join(classifiers), "classifiers", classified
        elif (from_files := _from_license_files(installed)) is not None:
            declared, source, (spdx, verdict) = "license file", "license file", from_files
        elif text:
            declared = text if len(text) <= 100 else text[:100] + "..."
            source, verdict = "License", _keyword_verdict(text)
    if own and verdict == "unknown" and declared.startswith("LicenseRef-"):
        verdict = "proprietary"  # a vendor's own license reference, such as a product built on Anneal
    review = REVIEWED.get(installed.key)
    return LicenseEntry(
        distribution=installed.name, version=installed.version, declared=declared,
        source=source,  # type: ignore[arg-type]
        spdx=spdx, verdict=verdict,
        review=review.decision if review and review.declared == declared else None,
        own=own, required_by=sorted(installed.required_by),
    )


def report(installed: dict[str, Installed], own_names: Collection[str] = SHIPPED) -> list[LicenseEntry]:
    return [describe(item, own_names) for item in installed.values()]


def problems(entries: list[LicenseEntry]) -> list[str]:
    """Why each third-party dependency that is not plainly permissive and not reviewed cannot ship."""
    found = []
    for entry in entries:
        if entry.own or entry.verdict == "permissive" or entry.review:
            continue
        by = ", ".join(entry.required_by) or "a shipped distribution"
        found.append(
            f"{entry.distribution} {entry.version} (required by {by}): license {entry.declared or 'not declared'!r} "
            f"is {entry.verdict}; it is incompatible with shipping Anneal under Apache-2.0 unless a person "
            "reviews it and records the decision in core.release.licenses.REVIEWED"
        )
    return found


def render_text(entries: list[LicenseEntry]) -> str:
    width = max(len(f"{e.distribution} {e.version}") for e in entries)
    lines = [f"{'distribution'.ljust(width)}  {'class'.ljust(13)}  license (source)"]
    for entry in entries:
        note = " [reviewed]" if entry.review else ""
        lines.append(f"{f'{entry.distribution} {entry.version}'.ljust(width)}  {entry.verdict.ljust(13)}  "
                     f"{entry.spdx or entry.declared or '-'} ({entry.source}){note}")
    lines.append("")
    lines.append("No vulnerability database is consulted: this report is about licenses only. Check the SBOM "
                 "(sbom.cdx.json) against your vulnerability scanner; no such database is reachable offline.")
    return "\n".join(lines) + "\n"
