"""Discovering, checking and registering plugins.

Loading has two stages. :func:`load_entry_point_plugins` runs while settings load: it imports
each plugin's entry-point module in its own ``try`` block, checks the plugin's supported core
versions and registers the module, so its settings-stage hooks can contribute apps and
middleware. :func:`register_runtime_hooks` runs once apps are ready: it registers the core's
built-in plugins and each plugin's ``anneal_hooks`` modules, which may import models.

A plugin that fails at either stage is recorded with its error, unregistered and skipped,
unless ``ANNEAL_PLUGINS_STRICT=1`` turns the failure into a start-up error.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import logging
import os
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any, Iterator, Literal

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import __version__
from core.plugins import hookspecs, signing

logger = logging.getLogger("anneal.plugins")

ENTRY_POINT_GROUP = "anneal"

Status = Literal["loaded", "failed", "incompatible", "disabled", "refused"]

BUILTIN_HOOK_MODULES: tuple[str, ...] = (
    "core.builtin.events",
    "core.builtin.health",
    "core.builtin.diagnostics",
    "core.builtin.navigation",
    "core.builtin.jobs",
    "core.builtin.mfa",
)


class PluginLoadError(RuntimeError):
    """Raised at start-up for a broken plugin when ``ANNEAL_PLUGINS_STRICT=1``."""


@dataclass
class PluginRecord:
    """What the core knows about one plugin, shown by ``anneal plugins`` and the System page."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    requires: str | None = None
    status: Status = "loaded"
    error: str | None = None
    builtin: bool = False
    hook_modules: list[str] = field(default_factory=list)
    registered: list[object] = field(default_factory=list, repr=False)
    signature: signing.SignatureStatus | None = None

    @property
    def hooks(self) -> list[str]:
        names: set[str] = set()
        for plugin in self.registered:
            for caller in plugin_manager.get_hookcallers(plugin) or []:
                names.add(caller.name)
        return sorted(names)

    @property
    def ok(self) -> bool:
        return self.status == "loaded"


plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
plugin_manager.add_hookspecs(hookspecs)

_records: dict[str, PluginRecord] = {}
_state = {"entry_points_loaded": False, "runtime_registered": False, "generation": 0}


def records() -> list[PluginRecord]:
    """Every plugin the core knows of, built-in ones first."""
    return sorted(_records.values(), key=lambda r: (not r.builtin, r.name))


def generation() -> int:
    """A number that changes whenever a plugin is registered or unregistered.

    Registries built from hooks cache their result against it.
    """
    return _state["generation"]


def _env_list(name: str) -> set[str]:
    return {item.strip() for item in os.environ.get(name, "").split(",") if item.strip()}


def _strict() -> bool:
    return os.environ.get("ANNEAL_PLUGINS_STRICT", "").lower() in {"1", "true", "yes"}


def check_compatibility(name: str, version: str | None, requires: str | None) -> str | None:
    """Return why a plugin that supports core versions ``requires`` cannot load, or ``None``."""
    if not requires:
        return None
    try:
        specifier = SpecifierSet(requires)
    except InvalidSpecifier:
        return f"Plugin {name!r} declares an invalid core version range {requires!r} (anneal_requires)."
    if specifier.contains(Version(__version__), prereleases=True):
        return None
    allowed = _env_list("ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE")
    if name in allowed or "*" in allowed:
        logger.warning(
            "Starting plugin %s although it supports Anneal %s and this is %s",
            name, requires, __version__,
        )
        return None
    return (
        f"Plugin {name!r} {version or ''} supports Anneal {requires}, but this is Anneal "
        f"{__version__}. Install a release of the plugin that supports {__version__}, or set "
        f"ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE={name} to start it anyway."
    ).replace("  ", " ")


def _unknown_hooks(plugin: object) -> list[str]:
    problems = []
    for caller in plugin_manager.get_hookcallers(plugin) or []:
        if caller.spec is None and caller.name in hookspecs.RETIRED_HOOKS:
            problems.append(f"hook {caller.name} was removed: {hookspecs.RETIRED_HOOKS[caller.name]}")
        elif caller.spec is None:
            close = difflib.get_close_matches(caller.name, _spec_names(), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"unknown hook {caller.name}{hint}")
    return problems


def _spec_names() -> list[str]:
    return [name for name in dir(hookspecs) if name.startswith("anneal_")]


def _register(record: PluginRecord, plugin: object, registered_name: str) -> None:
    plugin_manager.register(plugin, name=registered_name)
    record.registered.append(plugin)
    _state["generation"] += 1
    problems = _unknown_hooks(plugin)
    if problems:
        raise pluggy.PluginValidationError(plugin, "; ".join(problems))


def _fail(record: PluginRecord, status: Status, error: str) -> None:
    for plugin in record.registered:
        if plugin_manager.is_registered(plugin):
            plugin_manager.unregister(plugin)
    record.registered.clear()
    record.status = status
    record.error = error
    _state["generation"] += 1
    logger.error("Plugin %s was not loaded: %s", record.name, error)
    if _strict():
        raise PluginLoadError(f"Plugin {record.name!r} failed to load: {error}")


def describe_error(exc: BaseException) -> str:
    """The error as one line: its type, message, and the file and line that raised it."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _hook_modules(module: ModuleType) -> list[str]:
    value = getattr(module, "anneal_hooks", ())
    return [value] if isinstance(value, str) else list(value)


def require_signed() -> bool:
    """Whether ``ANNEAL_PLUGINS_REQUIRE_SIGNED`` is on: only plugins signed by a trusted vendor load."""
    return os.environ.get("ANNEAL_PLUGINS_REQUIRE_SIGNED", "").lower() in {"1", "true", "yes"}


def _signature_refusal(record: PluginRecord) -> str | None:
    """Why ``ANNEAL_PLUGINS_REQUIRE_SIGNED`` keeps this plugin out, or ``None``; warns of a bad signature."""
    status = record.signature
    if status is None or status.trusted:
        return None
    if status.state == "invalid":
        logger.warning("Plugin %s: %s", record.name, status.describe())
    if not require_signed() or record.name in _env_list("ANNEAL_PLUGINS_ALLOW_UNSIGNED"):
        return None
    return (
        f"Plugin {record.name!r} is {status.describe()}. ANNEAL_PLUGINS_REQUIRE_SIGNED=1 loads only plugins "
        "signed by a vendor key in the trust store: add the vendor's key with `anneal plugins trust add KEY.pem "
        f"--vendor NAME`, or set ANNEAL_PLUGINS_ALLOW_UNSIGNED={record.name} to load it anyway."
    )


def load_plugin(entry_point: metadata.EntryPoint, keys: dict[str, signing.TrustedKey] | None = None) -> PluginRecord:
    """Stage one for a single entry point: check its signature, import, check compatibility, register.

    A plugin refused for its signature is never imported.
    """
    dist = getattr(entry_point, "dist", None)
    record = PluginRecord(
        name=entry_point.name,
        module=entry_point.value,
        distribution=dist.name if dist else None,
        version=dist.version if dist else None,
    )
    _records[record.name] = record
    if record.name in _env_list("ANNEAL_PLUGINS_DISABLED"):
        record.status = "disabled"
        return record
    record.signature = signing.check_distribution(dist, keys) if dist else signing.SignatureStatus("unsigned")
    refusal = _signature_refusal(record)
    if refusal:
        _fail(record, "refused", refusal)
        return record
    try:
        module = entry_point.load()
    except Exception as exc:  # a plugin's import error must not stop the product
        _fail(record, "failed", describe_error(exc))
        return record
    record.requires = getattr(module, "anneal_requires", None)
    record.version = getattr(module, "__version__", None) or record.version
    problem = check_compatibility(record.name, record.version, record.requires)
    if problem:
        _fail(record, "incompatible", problem)
        return record
    try:
        record.hook_modules = _hook_modules(module)
        _register(record, module, record.name)
    except Exception as exc:
        _fail(record, "failed", describe_error(exc))
    return record


def load_entry_point_plugins() -> list[PluginRecord]:
    """Stage one for every installed plugin; runs once per process."""
    if not _state["entry_points_loaded"]:
        _state["entry_points_loaded"] = True
        keys = signing.trusted_keys()
        for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if entry_point.name in _records:
                continue
            load_plugin(entry_point, keys)
    return records()


def register_runtime_hooks() -> None:
    """Stage two, once Django apps are ready: built-in plugins, then each plugin's hook modules."""
    if _state["runtime_registered"]:
        return
    _state["runtime_registered"] = True
    for module_path in BUILTIN_HOOK_MODULES:
        record = PluginRecord(
            name=module_path, module=module_path, builtin=True, version=__version__,
            distribution="anneal",
        )
        _records[record.name] = record
        _register(record, importlib.import_module(module_path), module_path)
    for record in list(_records.values()):
        if record.builtin or not record.ok:
            continue
        try:
            for module_path in record.hook_modules:
                _register(record, importlib.import_module(module_path), f"{record.name}:{module_path}")
        except Exception as exc:
            _fail(record, "failed", describe_error(exc))


def register_plugin(plugin: object, name: str, *, requires: str | None = None) -> PluginRecord:
    """Register an in-memory plugin object, as tests and the plugin test harness do.

    Raises the validation error instead of recording it, so a test sees a broken plugin at once.
    """
    record = PluginRecord(name=name, module=getattr(plugin, "__name__", repr(plugin)), requires=requires)
    problem = check_compatibility(name, None, requires)
    if problem:
        raise PluginLoadError(problem)
    _records[name] = record
    try:
        _register(record, plugin, name)
    except Exception:
        unregister_plugin(name)
        raise
    return record


@contextlib.contextmanager
def suspended(*names: str) -> Iterator[None]:
    """Take installed plugins out of every hook call within the block, as if they were absent.

    Tests use it to see the core's behaviour without, say, the enterprise package.
    """
    taken: list[tuple[object, str]] = []
    for name in names:
        record = _records.get(name)
        if record is None:
            raise LookupError(f"No plugin named {name!r} is loaded.")
        for plugin in record.registered:
            if plugin_manager.is_registered(plugin):
                taken.append((plugin, plugin_manager.get_name(plugin)))
                plugin_manager.unregister(plugin)
    _state["generation"] += 1
    try:
        yield
    finally:
        for plugin, registered_name in taken:
            plugin_manager.register(plugin, name=registered_name)
        _state["generation"] += 1


def unregister_plugin(name: str) -> None:
    record = _records.pop(name, None)
    if record is None:
        return
    for plugin in record.registered:
        if plugin_manager.is_registered(plugin):
            plugin_manager.unregister(plugin)
    _state["generation"] += 1


def plugin_name_of(registered_name: str) -> str:
    """The plugin a registration belongs to (``"webhooks:anneal_webhooks.hooks"`` -> ``"webhooks"``)."""
    return registered_name.split(":", 1)[0]


def record_for(registered_name: str) -> PluginRecord | None:
    return _records.get(plugin_name_of(registered_name))


def summary() -> list[dict[str, Any]]:
    """A JSON-friendly listing of every plugin.

    ``status`` is the load status, except that a loaded plugin with a recent isolated hook
    failure is ``degraded``; ``failures`` lists its failed hooks with the last error.
    """
    from core.plugins import failures

    failed = failures.by_plugin(failures.overview([r.name for r in records()]))
    degraded = failures.degraded(f for entries in failed.values() for f in entries)
    return [
        {
            "name": r.name,
            "distribution": r.distribution,
            "version": r.version,
            "requires": r.requires,
            "status": "degraded" if r.ok and r.name in degraded else r.status,
            "builtin": r.builtin,
            "error": r.error,
            "hooks": r.hooks,
            "signature": _signature_summary(r),
            "failures": [
                {"hook": f.hook, "count": f.count, "last_error": f.last_error,
                 "last_at": f.occurred_at.isoformat()}
                for f in failed.get(r.name, [])
            ],
        }
        for r in records()
    ]


def _signature_summary(record: PluginRecord) -> dict[str, Any]:
    if record.builtin:
        return {"state": "builtin", "vendor": None, "key_id": None, "detail": "part of the core"}
    status = record.signature or signing.SignatureStatus("unsigned")  # registered in memory
    return {"state": status.state, "vendor": status.vendor, "key_id": status.key_id,
            "detail": status.describe()}


def mark_failed(name: str, exc: BaseException) -> None:
    """Record that plugin ``name`` failed in a hook that must work for it to run at all."""
    record = _records.get(plugin_name_of(name))
    if record is not None and not record.builtin:
        _fail(record, "failed", describe_error(exc))
