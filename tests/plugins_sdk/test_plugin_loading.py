"""Installed plugins that are broken, incompatible, misspelled or disabled, seen by ``anneal plugins``.

Each test installs throwaway distributions (a ``.dist-info`` with entry points) and runs a real
``anneal`` child process against them.
"""

from __future__ import annotations

GOOD = '''
from core.plugins import hookimpl

anneal_requires = ">=0.1"

@hookimpl
def anneal_settings_defaults():
    return {"ANNEAL_GOOD_PLUGIN": True}
'''


def test_a_plugin_that_fails_to_import_is_recorded_and_the_others_still_load(sandbox):
    sandbox.install("anneal-broken", {"broken": "anneal_broken"},
                    {"anneal_broken.py": "import not_a_module_that_exists\n"})
    sandbox.install("anneal-good", {"good": "anneal_good"}, {"anneal_good.py": GOOD})
    plugins = sandbox.plugins()
    assert plugins["broken"]["status"] == "failed"
    assert "ModuleNotFoundError" in plugins["broken"]["error"]
    assert "not_a_module_that_exists" in plugins["broken"]["error"]
    assert plugins["good"]["status"] == "loaded"
    assert plugins["good"]["hooks"] == ["anneal_settings_defaults"]


def test_an_incompatible_plugin_is_refused_with_both_versions_named(sandbox):
    from core import __version__

    sandbox.install("anneal-future", {"future": "anneal_future"},
                    {"anneal_future.py": 'anneal_requires = ">=99.0"\n__version__ = "3.1.4"\n'})
    plugin = sandbox.plugins()["future"]
    assert plugin["status"] == "incompatible"
    assert ">=99.0" in plugin["error"] and __version__ in plugin["error"]
    assert "ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE=future" in plugin["error"]
    assert plugin["version"] == "3.1.4" and plugin["requires"] == ">=99.0"


def test_allow_incompatible_starts_the_named_plugin_anyway(sandbox):
    sandbox.install("anneal-future", {"future": "anneal_future"},
                    {"anneal_future.py": 'anneal_requires = ">=99.0"\n'})
    plugin = sandbox.plugins(ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE="future")["future"]
    assert plugin["status"] == "loaded"


def test_an_invalid_version_range_is_reported_as_such(sandbox):
    sandbox.install("anneal-sloppy", {"sloppy": "anneal_sloppy"},
                    {"anneal_sloppy.py": 'anneal_requires = "about 0.1"\n'})
    plugin = sandbox.plugins()["sloppy"]
    assert plugin["status"] == "incompatible"
    assert "invalid core version range 'about 0.1'" in plugin["error"]


def test_a_misspelled_hook_fails_the_plugin_with_a_suggestion(sandbox):
    source = "from core.plugins import hookimpl\n\n@hookimpl\ndef anneal_navigaton(request):\n    return []\n"
    sandbox.install("anneal-typo", {"typo": "anneal_typo"}, {"anneal_typo.py": source})
    plugin = sandbox.plugins()["typo"]
    assert plugin["status"] == "failed"
    assert "unknown hook anneal_navigaton (did you mean anneal_navigation?)" in plugin["error"]


def test_a_misspelled_hook_in_a_runtime_hook_module_fails_the_plugin_too(sandbox):
    entry = 'anneal_requires = ">=0.1"\nanneal_hooks = ["anneal_late.hooks"]\n'
    hooks = "from core.plugins import hookimpl\n\n@hookimpl\ndef anneal_helth_checks():\n    return []\n"
    sandbox.install("anneal-late", {"late": "anneal_late.plugin"},
                    {"anneal_late/__init__.py": "", "anneal_late/plugin.py": entry, "anneal_late/hooks.py": hooks})
    plugin = sandbox.plugins()["late"]
    assert plugin["status"] == "failed"
    assert "did you mean anneal_health_checks?" in plugin["error"]
    assert plugin["hooks"] == []


def test_strict_mode_turns_a_broken_plugin_into_a_start_up_error(sandbox):
    sandbox.install("anneal-broken", {"broken": "anneal_broken"}, {"anneal_broken.py": "raise RuntimeError('boom')\n"})
    result = sandbox.run("plugins", "--json", ANNEAL_PLUGINS_STRICT="1")
    assert result.returncode != 0
    assert "PluginLoadError" in result.stderr
    assert "Plugin 'broken' failed to load: RuntimeError: boom" in result.stderr


def test_strict_mode_starts_normally_when_every_plugin_loads(sandbox):
    sandbox.install("anneal-good", {"good": "anneal_good"}, {"anneal_good.py": GOOD})
    assert sandbox.plugins(ANNEAL_PLUGINS_STRICT="1")["good"]["status"] == "loaded"


def test_a_disabled_plugin_is_listed_but_never_imported(sandbox):
    # Importing this module would fail the plugin; a disabled plugin must not even be imported.
    sandbox.install("anneal-off", {"off": "anneal_off"}, {"anneal_off.py": "raise SystemExit('imported!')\n"})
    sandbox.install("anneal-good", {"good": "anneal_good"}, {"anneal_good.py": GOOD})
    plugins = sandbox.plugins(ANNEAL_PLUGINS_DISABLED="off, other")
    assert plugins["off"]["status"] == "disabled"
    assert plugins["off"]["error"] is None
    assert plugins["good"]["status"] == "loaded"
