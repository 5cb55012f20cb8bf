"""The plugin API reference (``docs/plugins/api.md``), generated from the public modules.

``PUBLIC_API`` is the one list of what a plugin may import from the core: each module with the
names that are public in it (its ``__all__`` where it has one). Everything else in ``core`` is
internal and may change in any release. The page shows every name's signature, its docstring,
a dataclass's fields with their defaults and an enum's members; the template tags of
``{% load anneal %}`` and the test fixtures of ``core.testing.pytest_plugin`` follow.

``anneal plugins docs --api --output docs/plugins/api.md`` writes it; a test fails when the
committed page differs, when a public name has no docstring, and when an example plugin imports
a core name that is not listed here.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import typing
from dataclasses import dataclass
from types import ModuleType
from typing import Any

#: Module -> its public names. ``None``: the module's ``__all__``.
PUBLIC_API: dict[str, list[str] | None] = {
    "core": ["__version__"],
    "core.plugins": None,
    "core.plugins.web": None,
    "core.events": None,
    "core.roles": ["Role", "Permission", "allows"],
    "core.access": ["NotVisible", "NotAllowed", "get_organization", "require", "role_of", "allows_role",
                    "visible_organizations"],
    "core.features": ["has", "registered"],
    "core.plugins.manager": ["records", "PluginRecord"],
    "core.plugins.enablement": ["is_on"],
    "core.plugins.settings": ["value", "declared", "UnknownSetting"],
    "core.metering": ["record", "check", "month_total", "daily"],
    "core.shared_cache": ["SharedCache"],
    "core.keyset": None,
    "core.api.pagination": ["Pagination", "NumberedPagination"],
    "core.jobs": ["app"],
    "core.services.users": ["create_user", "update_user"],
    "core.services.organizations": ["create_organization", "add_member", "change_role", "remove_member"],
    "core.services.projects": ["create_project", "update_project", "delete_project"],
    "core.services.errors": ["ServiceError", "PolicyRefused"],
    "core.services.names": ["clean_name", "clean_text", "single_line", "sanitize_name"],
    "core.links": ["absolute_url", "absolute_reverse"],
    "core.product": ["current", "declared_by", "is_anneal", "rebranded"],
    "core.email_delivery": ["sender", "subject_line"],
    "core.input_guard": ["InputRefused", "row_id"],
    "core.api.errors": ["Problem", "problem", "problem_response"],
    "core.secrets": None,
    "core.outbound": None,
    "core.testing.contract": ["ContractViolation", "ContractClient", "check_response", "invalid_fields"],
    "core.testing.page_checks": ["axe_violations", "horizontal_overflow", "choices_apart_from_their_text"],
    "core.testing.listeners": ["http_listener", "url_of", "stop", "closed_port", "certificate", "server_tls"],
}
#: Modules a plugin may import as a whole (``from core import models``): documented by Django's
#: model reference and the architecture page rather than here.
PUBLIC_MODULES = {"core.models": "the core's models: User, Organization, Membership, Project, ApiToken, Invitation"}
FIXTURE_MODULE = "core.testing.pytest_plugin"
TEMPLATE_TAG_MODULE = "core.web.templatetags.anneal"


class Undocumented(ValueError):
    """A public name without a docstring, or listed but missing."""


@dataclass(frozen=True)
class Entry:
    module: str
    name: str
    kind: str
    signature: str
    docstring: str
    members: list[str]


def public_names(module_name: str) -> list[str]:
    listed = PUBLIC_API[module_name]
    if listed is not None:
        return list(listed)
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        raise Undocumented(f"{module_name} is public but has no __all__: list its public names in PUBLIC_API.")
    return list(names)


def _annotation(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    return text.replace("typing.", "")


def _signature(value: Any) -> str:
    """``(name: type = default, ...) -> type`` with annotations as written in the source."""
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return ""
    parts, kind = [], None
    for parameter in signature.parameters.values():
        if parameter.name.startswith("_"):  # a private binding (``_now=time.monotonic``), not part of the API
            continue
        if parameter.kind is parameter.KEYWORD_ONLY and kind is not parameter.KEYWORD_ONLY:
            parts.append("*")
        kind = parameter.kind
        prefix = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "")
        text = prefix + parameter.name
        if parameter.annotation is not parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            default = parameter.default
            shown = f"{type(default).__name__}.{default.name}" if isinstance(default, enum.Enum) else repr(default)
            text += f" = {shown}"
        parts.append(text)
        if parameter.kind is parameter.POSITIONAL_ONLY and (
                list(signature.parameters.values())[-1] is parameter
                or next(iter(list(signature.parameters.values())[len(parts):]), parameter).kind
                is not parameter.POSITIONAL_ONLY):
            parts.append("/")
    returns = signature.return_annotation
    tail = "" if returns is signature.empty or returns in ("None", None) and isinstance(value, type) \
        else f" -> {_annotation(returns)}"
    return f"({', '.join(parts)}){tail}"


def _fields(cls: type) -> list[str]:
    lines = []
    for f in dataclasses.fields(cls):
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        if f.default is not dataclasses.MISSING:
            default = f" = {f.default!r}"
        elif f.default_factory is not dataclasses.MISSING:
            default = f" = {f.default_factory.__name__}()"
        else:
            default = " (required)"
        lines.append(f"`{f.name}: {kind}`{default}")
    return lines


def _alias(value: Any) -> str:
    return str(value).replace("typing.", "").replace("collections.abc.", "")


def _entry(module_name: str, name: str, value: Any) -> Entry:
    docstring = inspect.getdoc(value) or ""
    members: list[str] = []
    if typing.get_origin(value) is not None:  # a type alias such as ``Callable[[str, int], list[str]]``
        return Entry(module_name, name, "type alias", "", "", [f"`{name} = {_alias(value)}`"])
    if isinstance(value, type) and issubclass(value, enum.Enum):
        kind, signature = "enum", ""
        members = [f"`{m.name}` = `{m.value!r}`" for m in value]
    elif isinstance(value, type) and dataclasses.is_dataclass(value):
        kind, signature = "dataclass", _signature(value)
        members = _fields(value)
    elif isinstance(value, type):
        kind = "exception" if issubclass(value, BaseException) else "class"
        signature = _signature(value)
    elif callable(value):
        kind, signature = "function", _signature(value)
    else:
        kind, signature, docstring = "constant", "", ""
        plain = isinstance(value, (str, int, float, bool, tuple))
        members = [f"value: `{value!r}`" if plain else f"an instance of `{type(value).__name__}`"]
    own_doc = (value.__dict__.get("__doc__") if isinstance(value, type) else inspect.getdoc(value)) \
        if kind != "constant" else None
    if kind != "constant" and not own_doc:
        raise Undocumented(f"{module_name}.{name} is public API but has no docstring.")
    if kind in {"class", "exception"} and value.__doc__ is None:
        raise Undocumented(f"{module_name}.{name} is public API but has no docstring.")
    return Entry(module_name, name, kind, signature, docstring, members)


def collect() -> list[Entry]:
    """Every public name's entry; raises ``Undocumented`` naming every name that lacks one."""
    entries, problems = [], []
    for module_name in PUBLIC_API:
        module = importlib.import_module(module_name)
        for name in public_names(module_name):
            if not hasattr(module, name):
                problems.append(f"{module_name} lists {name} as public, but it does not exist.")
                continue
            try:
                entries.append(_entry(module_name, name, getattr(module, name)))
            except Undocumented as exc:
                problems.append(str(exc))
    if problems:
        raise Undocumented("\n".join(problems))
    return entries


def fixtures() -> list[tuple[str, str]]:
    module = importlib.import_module(FIXTURE_MODULE)
    found = []
    for name, value in vars(module).items():
        wrapped = getattr(value, "__wrapped__", None) or getattr(value, "_get_wrapped_function", lambda: None)()
        if name.startswith("_") or not hasattr(value, "_pytestfixturefunction") and wrapped is None:
            continue
        function = wrapped or value
        doc = inspect.getdoc(function) or ""
        if not doc:
            raise Undocumented(f"The fixture {name} in {FIXTURE_MODULE} has no docstring.")
        found.append((name, doc))
    return found


def template_tags() -> list[tuple[str, str, str]]:
    module: ModuleType = importlib.import_module(TEMPLATE_TAG_MODULE)
    library = module.register
    found = []
    for kind, table in (("tag", library.tags), ("filter", library.filters)):
        for name, function in sorted(table.items()):
            target = getattr(function, "__wrapped__", function)
            doc = inspect.getdoc(target) or ""
            if not doc:
                raise Undocumented(f"The template {kind} {name} in {TEMPLATE_TAG_MODULE} has no docstring.")
            found.append((kind, name, doc))
    return found


def render() -> str:
    out = [
        "# Plugin API reference",
        "",
        "<!-- Generated from core/plugins/api_reference.py by `anneal plugins docs --api --output "
        "docs/plugins/api.md`. Do not edit by hand. -->",
        "",
        "Everything a plugin may import from the core is listed on this page; anything else in `core` is "
        "internal and may change in any release. The hooks themselves are in the [hook reference](hooks.md); "
        "[Writing a plugin](writing-plugins.md) shows them in use.",
        "",
    ]
    current = None
    for entry in collect():
        if entry.module != current:
            current = entry.module
            out += [f"## `{current}`", ""]
        title = f"### `{entry.module}.{entry.name}`"
        out += [title, "", f"*{entry.kind}*" + (f" `{entry.name}{entry.signature}`" if entry.signature else ""), ""]
        if entry.docstring:
            out += [entry.docstring.replace("``", "`"), ""]
        if entry.members:
            label = {"enum": "Members", "dataclass": "Fields"}.get(entry.kind, "")
            if label:
                out += [f"{label}:", ""]
            out += [f"- {member}" for member in entry.members] + [""]
    out += ["## Whole modules", ""]
    out += [f"- `{name}`: {what}" for name, what in PUBLIC_MODULES.items()] + [""]
    out += ["## Template tags and filters (`{% load anneal %}`)", ""]
    for kind, name, doc in template_tags():
        out += [f"### `{name}` ({kind})", "", doc.replace("``", "`"), ""]
    out += [f"## Test fixtures (`{FIXTURE_MODULE}`, loaded by the harness)", ""]
    for name, doc in fixtures():
        out += [f"### `{name}`", "", doc.replace("``", "`"), ""]
    return "\n".join(out).rstrip() + "\n"
