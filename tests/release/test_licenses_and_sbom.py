"""Every shipped dependency's license is known and compatible; the SBOM is valid CycloneDX."""

from __future__ import annotations

import io
import json
from importlib import metadata
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.core.management import call_command

from core.release import dependencies, licenses, sbom
from core.release.dependencies import Installed


def fake_distribution(tmp_path: Path, name: str, headers: dict[str, str | list[str]],
                      license_text: str | None = None) -> Installed:
    info = tmp_path / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", f"Name: {name}", "Version: 1.0"]
    for key, value in headers.items():
        lines += [f"{key}: {item}" for item in (value if isinstance(value, list) else [value])]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    records = [f"{info.name}/METADATA,,"]
    if license_text is not None:
        (info / "licenses").mkdir()
        (info / "licenses" / "LICENSE").write_text(license_text)
        records.append(f"{info.name}/licenses/LICENSE,,")
    (info / "RECORD").write_text("\n".join(records) + "\n")
    item = Installed(name, "1.0", metadata.PathDistribution(info))
    item.required_by.add("anneal")
    return item


@pytest.fixture(scope="module")
def shipped() -> dict[str, Installed]:
    return dependencies.tree()


def test_nothing_in_the_core_dependency_tree_is_incompatible_with_apache_2(shipped):
    core_tree = dependencies.tree([dependencies.CORE])
    assert licenses.problems(licenses.report(core_tree)) == []
    assert {"django", "celery", "psycopg", "cryptography"} <= set(core_tree)


def test_every_shipped_dependency_has_a_known_license(shipped):
    entries = licenses.report(shipped)
    assert licenses.problems(entries) == []
    assert all(e.verdict != "unknown" for e in entries), [e.distribution for e in entries if e.verdict == "unknown"]
    reviewed = {e.distribution for e in entries if e.review}
    assert reviewed == {e.distribution for e in entries if not e.own and e.verdict != "permissive"}


def test_the_enterprise_package_is_reported_as_proprietary_and_not_judged(shipped):
    (enterprise,) = [e for e in licenses.report(shipped) if e.distribution == "anneal-enterprise"]
    assert enterprise.verdict == "proprietary" and enterprise.own


def test_test_only_dependencies_are_not_in_the_shipped_tree(shipped):
    assert not {"pytest", "hypothesis", "playwright", "cyclonedx-python-lib"} & set(shipped)


def test_an_extra_a_requirement_asks_for_is_followed(shipped):
    """``celery[redis]`` brings kombu's redis extra, hence ``redis``."""
    assert "redis" in shipped


@pytest.mark.parametrize("headers, verdict", [
    ({"License-Expression": "GPL-3.0-or-later"}, "copyleft"),
    ({"License-Expression": "AGPL-3.0-only"}, "copyleft"),
    ({"License-Expression": "SSPL-1.0"}, "copyleft"),
    ({"License-Expression": "MIT AND GPL-2.0-only"}, "copyleft"),
    ({"License-Expression": "GPL-2.0-only OR MIT"}, "permissive"),
    ({"License-Expression": "(LGPL-2.1-or-later OR GPL-3.0-only) AND BSD-3-Clause"}, "weak-copyleft"),
    ({"License-Expression": "Apache-2.0 WITH LLVM-exception"}, "permissive"),
    ({"License-Expression": "LicenseRef-Custom"}, "unknown"),
    ({"License": "GNU General Public License v3 (GPLv3)"}, "copyleft"),
    ({"Classifier": "License :: OSI Approved :: GNU Affero General Public License v3"}, "copyleft"),
    ({"Classifier": "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)"}, "weak-copyleft"),
    ({"Classifier": ["License :: OSI Approved :: BSD License", "License :: OSI Approved :: GNU General Public License (GPL)"]},
     "permissive"),
    ({"License": "BSD 3-Clause OR Apache-2.0"}, "permissive"),
    ({"License": "see LICENSE"}, "unknown"),
    ({}, "unknown"),
])
def test_each_license_declaration_gets_its_class(tmp_path, headers, verdict):
    assert licenses.describe(fake_distribution(tmp_path, "somepkg", headers)).verdict == verdict


def test_the_license_file_is_read_when_the_metadata_says_nothing(tmp_path):
    mit = "The MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
    gpl = "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"
    assert licenses.describe(fake_distribution(tmp_path / "a", "mitpkg", {}, mit)).verdict == "permissive"
    assert licenses.describe(fake_distribution(tmp_path / "b", "gplpkg", {}, gpl)).verdict == "copyleft"


def test_a_gpl_dependency_is_refused_with_its_name_and_what_pulls_it_in(tmp_path):
    entry = licenses.describe(fake_distribution(tmp_path, "copyleft-lib", {"License-Expression": "GPL-3.0-only"}))
    (problem,) = licenses.problems([entry])
    assert problem.startswith("copyleft-lib 1.0 (required by anneal): license 'GPL-3.0-only' is copyleft")


def test_a_review_only_covers_the_declaration_that_was_reviewed(tmp_path):
    """psycopg is reviewed for LGPL-3.0-only; if it ever declared GPL, the review would not apply."""
    same = licenses.describe(fake_distribution(tmp_path / "a", "psycopg", {"License-Expression": "LGPL-3.0-only"}))
    changed = licenses.describe(fake_distribution(tmp_path / "b", "psycopg", {"License-Expression": "GPL-3.0-only"}))
    assert same.review and licenses.problems([same]) == []
    assert changed.review is None and len(licenses.problems([changed])) == 1


def test_anneal_release_licenses_check_passes_and_says_no_vulnerability_database_was_consulted():
    out = io.StringIO()
    call_command("release", "licenses", "--check", stdout=out)
    text = out.getvalue()
    assert "psycopg" in text and "[reviewed]" in text
    assert "No vulnerability database is consulted" in text


def test_the_sbom_is_valid_cyclonedx_1_6_and_lists_every_shipped_component(shipped):
    document = sbom.build(shipped)
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    assert validator.validate_str(json.dumps(document)) is None
    refs = {c["purl"] for c in document["components"]} | {document["metadata"]["component"]["purl"]}
    assert refs == {f"pkg:pypi/{key}@{item.version}" for key, item in shipped.items()}
    django = next(c for c in document["components"] if c["name"] == "Django")
    assert django["licenses"] == [{"expression": "BSD-3-Clause"}]
    core = next(d for d in document["dependencies"] if d["ref"].startswith("pkg:pypi/anneal@"))
    assert any(ref.startswith("pkg:pypi/django@") for ref in core["dependsOn"])


def test_the_schema_validator_really_rejects_a_broken_sbom(shipped):
    """So that the test above proves something."""
    document = sbom.build(shipped)
    document["components"][0]["licenses"] = [{"license": {"id": "Not-A-License"}}]
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document)) is not None


def test_the_release_ships_the_sbom_and_the_license_report(built_release):
    document = json.loads((built_release.directory / "sbom.cdx.json").read_text())
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document)) is None
    report = json.loads((built_release.directory / "licenses.json").read_text())
    assert {row["distribution"] for row in report} >= {"Django", "psycopg", "anneal-enterprise"}
    assert "No vulnerability database" in (built_release.directory / "licenses.txt").read_text()


def test_anneal_release_sbom_writes_a_file(tmp_path):
    call_command("release", "sbom", "--output", str(tmp_path / "bom.json"), stdout=io.StringIO())
    assert json.loads((tmp_path / "bom.json").read_text())["bomFormat"] == "CycloneDX"
