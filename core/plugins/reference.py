"""The hook reference (``docs/plugins/hooks.md``), generated from :mod:`core.plugins.hookspecs`.

``anneal plugins docs`` writes it; a test fails when the committed page differs from what this
module renders, so the reference always matches the code.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from core.plugins import hookspecs as default_hookspecs
from core.plugins.hookspecs import SpecInfo

_SECTION = re.compile(r"^# --- (?P<title>.+?) -+$")
_ROLE = re.compile(r":(?:func|class|mod|data|attr|meth):`~?(?P<target>[^`]+)`")

FAILURE_TEXT = {
    "isolated": "isolated: an exception is logged for this plugin and counted (the plugin shows as degraded for "
                "an hour in `anneal plugins`, on the System page, in `/api/v1/plugins/` and in `anneal doctor`); "
                "the others still run",
    "propagates": "propagates: an exception reaches the caller, which fails closed",
}
BUDGET_TEXT = (
    "must be fast: each implementation is timed, and a call longer than `ANNEAL_HOOK_BUDGET_MS` "
    "(default 250 ms) is logged as a warning naming the plugin, counted, and shown on the System "
    "page and in `anneal plugins`. The call is not interrupted: the request waits and its answer counts"
)
STAGE_TEXT = {
    "settings": "while settings load (entry-point module, no models)",
    "runtime": "once Django apps are ready",
}


@dataclass(frozen=True)
class HookDoc:
    """What the reference says about one hook."""

    name: str
    section: str
    signature: str
    docstring: str
    info: SpecInfo
    line: int


class MissingDocumentation(ValueError):
    """A hook without a docstring or without ``@spec`` metadata."""


def hook_names(module: ModuleType = default_hookspecs) -> list[str]:
    """Every hook declared in ``module``, in source order."""
    functions = [
        value for name, value in vars(module).items()
        if name.startswith("anneal_") and inspect.isfunction(value)
    ]
    return [f.__name__ for f in sorted(functions, key=lambda f: f.__code__.co_firstlineno)]


def _sections(module: ModuleType) -> list[tuple[int, str]]:
    try:
        lines = inspect.getsource(module).splitlines()
    except (OSError, TypeError):  # a module built in memory has no source and no sections
        return []
    return [(number, m["title"]) for number, line in enumerate(lines, 1) if (m := _SECTION.match(line))]


def collect(module: ModuleType = default_hookspecs) -> list[HookDoc]:
    """Read every hook's docstring, signature and ``@spec`` metadata from ``module``."""
    sections = _sections(module)
    docs = []
    for name in hook_names(module):
        function = getattr(module, name)
        info = getattr(function, "anneal_contract", None)
        docstring = inspect.getdoc(function)
        if info is None:
            raise MissingDocumentation(f"Hook {name} has no @spec(...) decorator in {module.__name__}.")
        if not docstring:
            raise MissingDocumentation(
                f"Hook {name} has no docstring in {module.__name__}: say when it is called, what "
                "each argument is, what it returns and how failures are handled."
            )
        line = function.__code__.co_firstlineno
        section = next((title for start, title in reversed(sections) if start < line), "Hooks")
        signature = _signature(function)
        docs.append(HookDoc(name, section, signature, docstring, info, line))
    return docs


def _signature(function: Any) -> str:
    """``name(arg: type, ...) -> type`` as written in the source (annotations are strings there)."""
    signature = inspect.signature(function)
    arguments = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not p.empty else p.name
        for p in signature.parameters.values()
    )
    returns = f" -> {signature.return_annotation}" if signature.return_annotation is not signature.empty else ""
    return f"{function.__name__}({arguments}){returns}"


def _markdown(text: str) -> str:
    text = _ROLE.sub(lambda m: f"`{m['target'].rsplit('.', 1)[-1]}`", text)
    return text.replace("``", "`")


def _failure_text(info: SpecInfo) -> str:
    if info.stage == "settings":
        return "an exception marks this plugin as failed and it is not loaded; other plugins still load"
    return FAILURE_TEXT[info.failure]


def _hook_section(doc: HookDoc) -> list[str]:
    info = doc.info
    rows = [
        ("Since", f"hook API {info.since}"),
        ("Called", STAGE_TEXT[info.stage]),
        ("Failures", _failure_text(info)),
        ("Result", "first non-`None` answer wins (`firstresult`)" if info.firstresult
         else "every implementation is called"),
    ]
    if info.failure == "propagates" and info.stage == "runtime":
        rows.append(("Time budget", BUDGET_TEXT))
    if info.deprecated:
        rows.append(("Deprecated", _markdown(info.deprecated.message("This hook"))))
    for argument, deprecation in info.deprecated_arguments.items():
        rows.append(("Deprecated argument", _markdown(deprecation.message(f"`{argument}`"))))
    lines = [f"### `{doc.name}`", "", "```python", f"@hookimpl\ndef {doc.signature}: ...", "```", ""]
    lines += [f"- **{label}:** {value}" for label, value in rows]
    lines += ["", _markdown(doc.docstring), ""]
    return lines


def render(module: ModuleType = default_hookspecs) -> str:
    """The whole reference page as Markdown."""
    docs = collect(module)
    out = [
        "# Hook reference",
        "",
        "<!-- Generated from core/plugins/hookspecs.py by `anneal plugins docs --output "
        "docs/plugins/hooks.md`. Do not edit by hand. -->",
        "",
        f"Hook API version **{module.HOOK_API_VERSION}**. Implement a hook with a function of the same "
        "name decorated with `@hookimpl` (`from core.plugins import hookimpl`) in your entry-point "
        "module (settings-stage hooks) or in a module listed in `anneal_hooks` (all others).",
        "",
        "Arguments are passed by keyword and your implementation may accept any subset of them, in "
        "any order: list only the ones you use. Adding an argument to a hook never breaks an "
        "existing plugin. See [the changelog](changelog.md) for what changed in each version and "
        "the deprecation policy, [the plugin API reference](api.md) for the types and helpers a plugin "
        "imports, and [Writing a plugin](writing-plugins.md) for a walk-through.",
        "",
    ]
    current = None
    for doc in docs:
        if doc.section != current:
            current = doc.section
            out += [f"## {current}", ""]
            out += [f"- [`{d.name}`](#{d.name})" for d in docs if d.section == current]
            out.append("")
        out += _hook_section(doc)
    return "\n".join(out).rstrip() + "\n"
