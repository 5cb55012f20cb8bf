"""docs/plugins/hooks.md is generated from the hookspecs and matches them."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.plugins import hookspecs, reference
from core.plugins.hookspecs import spec

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "hooks.md"


def test_the_committed_hook_reference_is_what_the_hookspecs_generate():
    assert REFERENCE.read_text(encoding="utf-8") == reference.render(), (
        "docs/plugins/hooks.md is stale: run `anneal plugins docs --output docs/plugins/hooks.md`."
    )


def test_every_hook_has_a_docstring_and_contract_metadata():
    for doc in reference.collect():
        assert doc.docstring.strip(), doc.name
        assert doc.info.since, doc.name


def test_every_hook_is_listed_in_the_reference_with_its_metadata():
    text = REFERENCE.read_text(encoding="utf-8")
    for doc in reference.collect():
        section = text.split(f"### `{doc.name}`", 1)[1].split("### ", 1)[0]
        assert f"def {doc.signature}" in section
        assert f"hook API {doc.info.since}" in section
        assert ("firstresult" in section) == doc.info.firstresult


def _fake_hookspecs(function: types.FunctionType) -> types.ModuleType:
    module = types.ModuleType("fake_hookspecs")
    module.HOOK_API_VERSION = "9.9"
    setattr(module, function.__name__, function)
    return module


def test_a_hook_without_a_docstring_fails_the_reference():
    @spec(since="1.0")
    def anneal_undocumented(request):  # noqa: ANN001, ANN202
        pass

    with pytest.raises(reference.MissingDocumentation, match="anneal_undocumented has no docstring"):
        reference.collect(_fake_hookspecs(anneal_undocumented))


def test_a_hook_without_spec_metadata_fails_the_reference():
    def anneal_bare():  # noqa: ANN202
        """Documented, but not declared with @spec."""

    with pytest.raises(reference.MissingDocumentation, match="anneal_bare has no @spec"):
        reference.collect(_fake_hookspecs(anneal_bare))


def test_plugins_docs_check_fails_for_a_stale_page_and_says_how_to_fix_it(tmp_path):
    stale = tmp_path / "hooks.md"
    stale.write_text("# Hook reference\n\nold\n")
    with pytest.raises(CommandError, match="out of date: run `anneal plugins docs --output"):
        call_command("plugins", "docs", output=str(stale), check=True)
    call_command("plugins", "docs", output=str(stale))
    call_command("plugins", "docs", output=str(stale), check=True)
    assert stale.read_text() == reference.render()


def test_hooks_are_listed_in_source_order_under_their_sections():
    names = reference.hook_names()
    assert names[0] == "anneal_django_apps" and names[-1] == "anneal_license_issuers"
    assert set(names) == {n for n in dir(hookspecs) if n.startswith("anneal_")}
    sections = {doc.name: doc.section for doc in reference.collect()}
    assert sections["anneal_event"] == "Domain events"
    assert sections["anneal_feature_enabled"] == "Entitlements"
    assert sections["anneal_meters"] == "Metering and licenses"
