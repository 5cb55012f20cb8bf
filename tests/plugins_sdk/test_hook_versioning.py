"""The hook API is versioned: new arguments never break plugins, retirements warn first."""

from __future__ import annotations

import warnings
from typing import Any

import pluggy
import pytest
from packaging.version import Version

from core.plugins import HOOK_API_VERSION, hookimpl, hooks, hookspecs, reference
from core.plugins import HookDeprecationWarning
from core.plugins.hookspecs import Deprecation, spec
from core.plugins.manager import PluginLoadError, register_plugin, unregister_plugin


class RetiringHookspecs:
    """A fake hook API 1.1 with a hook being retired and an argument being renamed."""

    @spec(since="1.0", deprecated=Deprecation("1.1", "1.2", "implement anneal_new_thing instead."))
    def anneal_old_thing(self, request: Any) -> None:
        """Retired in favour of anneal_new_thing."""

    @spec(since="1.1")
    def anneal_new_thing(self, request: Any) -> None:
        """The replacement."""

    @spec(since="1.0", deprecated_arguments={"org": Deprecation("1.1", "1.2", "use 'organization'.")})
    def anneal_renamed_argument(self, org: Any, organization: Any) -> None:
        """``org`` is being renamed to ``organization``; both are passed until 1.2."""


def _manager(specs: object = RetiringHookspecs) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(specs)
    return manager


def test_every_hook_says_which_hook_api_version_introduced_it():
    for doc in reference.collect():
        assert Version(doc.info.since) <= Version(HOOK_API_VERSION), doc.name


def test_implementing_a_deprecated_hook_warns_with_the_removal_version_and_the_replacement():
    class Plugin:
        @hookimpl
        def anneal_old_thing(self, request: Any) -> None: ...

    with pytest.warns(HookDeprecationWarning) as record:
        _manager().register(Plugin())
    message = str(record[0].message)
    assert "anneal_old_thing is deprecated since Anneal hook API 1.1" in message
    assert "removed in 1.2" in message and "anneal_new_thing" in message


def test_asking_for_a_deprecated_argument_warns_but_the_new_one_does_not():
    class OldStyle:
        @hookimpl
        def anneal_renamed_argument(self, org: Any) -> None: ...

    class NewStyle:
        @hookimpl
        def anneal_renamed_argument(self, organization: Any) -> None: ...

    manager = _manager()
    with pytest.warns(HookDeprecationWarning, match="argument 'org' of anneal_renamed_argument"):
        manager.register(OldStyle())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        manager.register(NewStyle())


def test_a_deprecated_hook_still_runs_during_its_deprecation_window():
    calls = []

    class Plugin:
        @hookimpl
        def anneal_old_thing(self, request: Any) -> None:
            calls.append(request)

    manager = _manager()
    with pytest.warns(HookDeprecationWarning):
        manager.register(Plugin())
    manager.hook.anneal_old_thing(request="r")
    assert calls == ["r"]


def test_deprecations_are_shown_in_the_generated_reference():
    import types

    module = types.ModuleType("fake")
    module.HOOK_API_VERSION = "1.1"
    module.anneal_old_thing = RetiringHookspecs.anneal_old_thing
    text = reference.render(module)
    assert "**Deprecated:** This hook is deprecated since Anneal hook API 1.1" in text


def test_a_plugin_implementing_a_retired_hook_is_refused_with_what_to_use_instead(monkeypatch):
    monkeypatch.setitem(hookspecs.RETIRED_HOOKS, "anneal_old_thing",
                        "removed in hook API 1.2; implement anneal_new_thing instead.")

    class Plugin:
        @hookimpl
        def anneal_old_thing(self, request: Any) -> None: ...

    with pytest.raises(pluggy.PluginValidationError, match="hook anneal_old_thing was removed: removed in hook API 1.2"):
        register_plugin(Plugin(), "retired-user")
    unregister_plugin("retired-user")


def test_adding_an_argument_to_a_hook_never_breaks_a_plugin_written_before_it():
    class Version10:
        @spec(since="1.0")
        def anneal_widget(self, request: Any) -> list[str]:
            """Version 1.0 passes the request."""

    class Version11:
        @spec(since="1.0")
        def anneal_widget(self, request: Any, organization: Any) -> list[str]:
            """Version 1.1 adds the organization."""

    class WrittenFor10:
        @hookimpl
        def anneal_widget(self, request: Any) -> list[str]:
            return [f"widget for {request}"]

    old, new = _manager(Version10), _manager(Version11)
    old.register(WrittenFor10())
    new.register(WrittenFor10())
    assert old.hook.anneal_widget(request="r") == new.hook.anneal_widget(request="r", organization="o")


def test_a_plugin_may_accept_any_subset_of_a_real_hooks_arguments_in_any_order(anneal_plugin, rf):
    seen = []

    class Minimal:
        @hookimpl
        def anneal_template_slot(self, slot: str) -> str:
            seen.append(slot)
            return "<b>minimal</b>"

    class Reordered:
        @hookimpl
        def anneal_template_slot(self, context: dict[str, Any], slot: str) -> None:
            seen.append((slot, context["x"]))

    anneal_plugin(Minimal(), name="minimal")
    anneal_plugin(Reordered(), name="reordered")
    contributions = hooks.template_slot("banner", rf.get("/"), {"x": 1})
    assert [c.result for c in contributions if c.plugin == "minimal"] == ["<b>minimal</b>"]
    assert all(c.error is None for c in contributions)
    assert "banner" in seen and ("banner", 1) in seen


def test_a_plugin_asking_for_an_argument_the_hook_does_not_have_is_refused_at_registration():
    class FromTheFuture:
        @hookimpl
        def anneal_navigation(self, request: Any, tenant: Any) -> list[Any]:
            return []

    with pytest.raises(pluggy.PluginValidationError, match="tenant"):
        register_plugin(FromTheFuture(), "future-args")
    unregister_plugin("future-args")


def test_register_plugin_refuses_an_incompatible_range():
    with pytest.raises(PluginLoadError, match="supports Anneal >=99"):
        register_plugin(object(), "too-new", requires=">=99")


def test_deprecating_an_argument_the_hook_does_not_have_is_a_mistake_caught_at_import():
    with pytest.raises(ValueError, match="anneal_thing has no argument orgg to deprecate"):

        @spec(since="1.0", deprecated_arguments={"orgg": Deprecation("1.1", "1.2", "use 'organization'.")})
        def anneal_thing(organization: Any) -> None:
            """A hook."""
