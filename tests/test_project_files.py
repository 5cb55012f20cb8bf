"""The repository's project files: every part's license, the contribution path, the changelog."""

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTERPRISE_PACKAGE = "anneal_enterprise"

# Each distribution in the repository: its folder and the license it must declare.
DISTRIBUTIONS = {
    "anneal": (ROOT, "Apache-2.0"),
    "anneal-enterprise": (ROOT / "enterprise", "LicenseRef-Anneal-Enterprise"),
    "anneal-webhooks": (ROOT / "plugins" / "webhooks", "Apache-2.0"),
    "anneal-prompts": (ROOT / "plugins" / "prompts", "Apache-2.0"),
    "anneal-client": (ROOT / "clients" / "python", "Apache-2.0"),
}
CHANGELOG_SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
ONE_CLICK_FROM_README = [
    "LICENSE", "enterprise/LICENSE", "docs/licensing-model.md", "CONTRIBUTING.md", "CODE_OF_CONDUCT.md",
    "SECURITY.md", "CHANGELOG.md", "docs/releases.md", "docs/security.md", "docs/plugins/directory.md",
]


def _what_a_build_does_not_need(folder: Path):
    """Leaves out build leftovers everywhere and, at the repository root, every other distribution."""
    leftovers = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "node_modules")
    root_keeps = {"pyproject.toml", "README.md", "LICENSE", "core"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(leftovers(directory, names))
        if folder == ROOT and Path(directory) == ROOT:
            ignored |= {name for name in names if name not in root_keeps}
        return ignored

    return ignore


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each distribution built into a wheel, the way pip builds it, offline."""
    out = tmp_path_factory.mktemp("wheels")
    built: dict[str, Path] = {}
    for name, (folder, _) in DISTRIBUTIONS.items():
        target = out / name
        # Built from a copy: setuptools leaves build/ and egg-info folders in the tree it builds.
        source = out / f"{name}-source"
        shutil.copytree(folder, source, ignore=_what_a_build_does_not_need(folder))
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "--no-index", "--wheel-dir", str(target), str(source)],
            capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        (wheel,) = target.glob("*.whl")
        built[name] = wheel
    return built


def _metadata(wheel: Path) -> tuple[email.message.Message, list[str]]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
    return metadata, names


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_every_distribution_declares_its_license_and_ships_the_license_file(wheels, name):
    metadata, names = _metadata(wheels[name])
    assert metadata["License-Expression"] == DISTRIBUTIONS[name][1]
    assert metadata.get_all("License-File") == ["LICENSE"]
    shipped = [n for n in names if re.search(r"\.dist-info/licenses/LICENSE$", n)]
    assert shipped, f"{name} does not ship its LICENSE file"
    with zipfile.ZipFile(wheels[name]) as archive:
        text = archive.read(shipped[0]).decode()
    expected = (DISTRIBUTIONS[name][0] / "LICENSE").read_text()
    assert text == expected
    if DISTRIBUTIONS[name][1] == "Apache-2.0":
        assert "Apache License" in text and "Version 2.0, January 2004" in text


@pytest.mark.parametrize("name", [n for n in DISTRIBUTIONS if n != "anneal-enterprise"])
def test_no_enterprise_file_ships_in_an_open_source_distribution(wheels, name):
    _, names = _metadata(wheels[name])
    leaked = [n for n in names if n.startswith(f"{ENTERPRISE_PACKAGE}/") or "/enterprise/" in n]
    assert leaked == []
    with zipfile.ZipFile(wheels[name]) as archive:
        licenses = [archive.read(n).decode() for n in names if "/licenses/" in n]
    assert not any("Anneal Enterprise License" in text for text in licenses)


def test_the_core_distribution_ships_the_core(wheels):
    _, names = _metadata(wheels["anneal"])
    assert {"core/__init__.py", "core/plugins/hookspecs.py", "core/web/templates/anneal/base.html"} <= set(names)


def test_every_enterprise_source_file_ships_in_the_enterprise_distribution(wheels):
    _, names = _metadata(wheels["anneal-enterprise"])
    tracked = subprocess.run(["git", "ls-files", f"enterprise/{ENTERPRISE_PACKAGE}"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    assert tracked, "git ls-files found no enterprise source"
    missing = [path for path in tracked if path.removeprefix("enterprise/") not in names]
    assert missing == []


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_no_vendor_tool_ships_in_any_distribution(wheels, name):
    """The key-issuing and report-verifying tools stay with the vendor (enterprise/tools)."""
    _, names = _metadata(wheels[name])
    vendor_tools = {path.name for path in (ROOT / "enterprise" / "tools").glob("*.py")}
    assert {"issue_license.py", "verify_usage_report.py"} <= vendor_tools
    assert [n for n in names if n.rsplit("/", 1)[-1] in vendor_tools or n.startswith("tools/")] == []


def test_the_plugin_scaffold_declares_a_license():
    template = (ROOT / "core/plugins/scaffold/template/pyproject.toml.tmpl").read_text()
    assert re.search(r'^license = "[^"]+"$', template, re.MULTILINE)


def _changelog_versions() -> list[str]:
    return re.findall(r"^## (\d+\.\d+\.\d+\S*) \(\d{4}-\d{2}-\d{2}\)$", (ROOT / "CHANGELOG.md").read_text(),
                      re.MULTILINE)


def test_the_changelog_has_an_entry_for_the_current_version():
    from core import __version__

    assert __version__ in _changelog_versions()


def test_every_distribution_has_the_same_version_as_the_core():
    from anneal_enterprise import __version__ as enterprise_version
    from core import __version__

    assert enterprise_version == __version__
    for name in ("anneal-webhooks", "anneal-prompts"):
        project = tomllib.loads((DISTRIBUTIONS[name][0] / "pyproject.toml").read_text())["project"]
        assert project["version"] == __version__, name


def test_changelog_groups_changes_only_under_the_agreed_headings():
    headings = set(re.findall(r"^### (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE))
    assert headings and headings <= CHANGELOG_SECTIONS


@pytest.mark.parametrize("path", ONE_CLICK_FROM_README)
def test_project_files_are_one_click_from_the_readme(path):
    assert (ROOT / path).is_file()
    assert f"]({path})" in (ROOT / "README.md").read_text()


def _relative_links(markdown: Path) -> list[str]:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", markdown.read_text())
    return [link for link in links if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize("path", ["README.md", "CONTRIBUTING.md", "SECURITY.md", "CODE_OF_CONDUCT.md",
                                  "CHANGELOG.md", "docs/licensing-model.md", "docs/releases.md",
                                  "docs/plugins/directory.md", "docs/security.md"])
def test_links_in_the_project_files_lead_somewhere(path):
    markdown = ROOT / path
    broken = [link for link in _relative_links(markdown) if not (markdown.parent / link).exists()]
    assert broken == []


def test_the_plugin_directory_lists_each_plugin_with_the_range_it_declares():
    directory = (ROOT / "docs/plugins/directory.md").read_text()
    for plugin in sorted((ROOT / "plugins").glob("*/pyproject.toml")):
        project = tomllib.loads(plugin.read_text())["project"]
        (module,) = project["entry-points"]["anneal"].values()
        source = (plugin.parent / (module.replace(".", "/") + ".py")).read_text()
        declared = re.search(r'^anneal_requires = "([^"]+)"', source, re.MULTILINE).group(1)
        row = next((line for line in directory.splitlines() if f"`{project['name']}`" in line), None)
        assert row is not None, f"{project['name']} is not in the plugin directory"
        assert f"`{declared}`" in row


@pytest.mark.parametrize("template", sorted((ROOT / ".github/ISSUE_TEMPLATE").glob("*.yml")), ids=lambda p: p.name)
def test_issue_templates_are_valid_forms(template):
    form = yaml.safe_load(template.read_text())
    if template.name == "config.yml":
        assert form["blank_issues_enabled"] is False
        return
    assert form["name"] and form["description"]
    ids = [field["id"] for field in form["body"] if "id" in field]
    assert len(ids) == len(set(ids))
    if template.name == "bug_report.yml":
        required = {f["id"] for f in form["body"] if f.get("validations", {}).get("required")}
        assert {"version", "doctor", "what-happened"} <= required


def test_anneal_version_prints_the_product_version():
    from core import __version__

    result = subprocess.run([sys.executable, "-m", "core.cli", "--version"], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.stdout.strip() == f"anneal {__version__}"
