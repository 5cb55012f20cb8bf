"""The plugin API reference lists everything a plugin imports from the core, and nothing is undocumented."""

from __future__ import annotations

import ast
import importlib
import re

import pytest
from django.core.management import CommandError, call_command

from conftest import ROOT
from core.plugins import api_reference

pytestmark = pytest.mark.django_db

REFERENCE = ROOT / "docs" / "plugins" / "api.md"
#: What third parties model their plugins on: the example plugins, the scaffold, the guides.
PLUGIN_SOURCES = [
    *sorted((ROOT / "plugins").glob("*/anneal_*/**/*.py")),
    *sorted((ROOT / "plugins").glob("*/tests/**/*.py")),
    *sorted((ROOT / "core" / "plugins" / "scaffold" / "template").rglob("*.tmpl")),
]
GUIDES = sorted((ROOT / "docs" / "plugins").glob("*.md"))
_CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _core_imports(source: str) -> set[tuple[str, str]]:
    """``(module, name)`` for every ``from core... import name`` and ``import core....``."""
    found: set[tuple[str, str]] = set()
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped.startswith(("from core", "import core")):
            continue
        try:
            tree = ast.parse(stripped.rstrip("(").rstrip() + (")" if stripped.endswith("(") else ""))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and (node.module == "core" or
                                                                     node.module.startswith("core.")):
                found.update((node.module, alias.name) for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update((alias.name, "") for alias in node.names if alias.name.startswith("core"))
    return found


def _multiline_imports(source: str) -> set[tuple[str, str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return _core_imports(source)
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "core" or node.module.startswith("core.")):
            found.update((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update((alias.name, "") for alias in node.names if alias.name.startswith("core"))
    return found


def _is_public(module: str, name: str) -> bool:
    public_modules = set(api_reference.PUBLIC_API) | set(api_reference.PUBLIC_MODULES)
    if not name or module in api_reference.PUBLIC_MODULES:  # import core.secrets; from core.models import User
        return module in public_modules
    if module in api_reference.PUBLIC_API and name in api_reference.public_names(module):
        return True
    return f"{module}.{name}" in public_modules  # from core import outbound


def _imports_of_plugins() -> list[tuple[str, str, str]]:
    uses = []
    for path in PLUGIN_SOURCES:
        text = path.read_text(encoding="utf-8")
        for module, name in _multiline_imports(text) if path.suffix == ".py" else _core_imports(text):
            uses.append((str(path.relative_to(ROOT)), module, name))
    for path in GUIDES:
        for block in _CODE_BLOCK.findall(path.read_text(encoding="utf-8")):
            for module, name in _core_imports(block):
                uses.append((str(path.relative_to(ROOT)), module, name))
    return uses


def test_the_committed_reference_is_what_the_code_generates():
    assert REFERENCE.read_text(encoding="utf-8") == api_reference.render(), (
        "docs/plugins/api.md is out of date: run `anneal plugins docs --api --output docs/plugins/api.md`"
    )


def test_the_examples_scaffold_and_guides_import_only_the_public_api():
    uses = _imports_of_plugins()
    assert len(uses) > 30  # the scan finds the example plugins' imports at all
    private = sorted({f"{where}: from {module} import {name}" for where, module, name in uses
                      if not _is_public(module, name)})
    assert private == [], "\n".join(private)


def test_every_public_name_is_in_the_reference_with_its_signature():
    text = REFERENCE.read_text(encoding="utf-8")
    for module in api_reference.PUBLIC_API:
        for name in api_reference.public_names(module):
            assert f"### `{module}.{name}`" in text, f"{module}.{name} has no entry"
    assert "*dataclass* `NavItem(label: str, url: str, section: Literal['main', 'organization', 'admin'] = 'main', " \
           "order: int = 100, feature: str | None = None)`" in text
    assert "- `critical: bool` = True" in text  # HealthCheck's default that decides /readyz
    assert "- `VIEW` = `'view'`" in text and "- `OWN` = `'own'`" in text
    assert "### `feature_unavailable` (tag)" in text
    assert "### `anneal_plugin`" in text  # the harness's fixtures


def test_a_public_name_without_a_docstring_fails_generation(monkeypatch, tmp_path):
    module = tmp_path / "undocumented_public_module.py"
    module.write_text("__all__ = ['helper']\ndef helper(x: int) -> int:\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(api_reference.PUBLIC_API, "undocumented_public_module", None)
    with pytest.raises(api_reference.Undocumented, match="undocumented_public_module.helper is public API but has "
                                                         "no docstring"):
        api_reference.render()
    with pytest.raises(CommandError, match="undocumented names"):
        call_command("plugins", "docs", "--api")


def test_a_listed_name_that_does_not_exist_fails_generation(monkeypatch):
    monkeypatch.setitem(api_reference.PUBLIC_API, "core.roles", ["Role", "Permission", "Emperor"])
    with pytest.raises(api_reference.Undocumented, match="core.roles lists Emperor as public, but it does not exist"):
        api_reference.collect()


def test_every_public_module_imports(capsys):
    for module in [*api_reference.PUBLIC_API, *api_reference.PUBLIC_MODULES]:
        importlib.import_module(module)


def test_anneal_plugins_docs_check_refuses_a_stale_api_page(tmp_path):
    stale = tmp_path / "api.md"
    stale.write_text("# old\n")
    with pytest.raises(CommandError, match="out of date: run `anneal plugins docs --api --output"):
        call_command("plugins", "docs", "--api", "--output", str(stale), "--check")
    call_command("plugins", "docs", "--api", "--output", str(REFERENCE), "--check")


def test_the_reference_is_linked_from_the_guides():
    for guide in ("writing-plugins.md", "hooks.md"):
        assert "api.md" in (ROOT / "docs" / "plugins" / guide).read_text(encoding="utf-8"), guide

