"""What ``anneal --help`` prints: what the product is, its own commands first, then plugins', then Django's.

A vendor's product (``core.product``) is named instead of Anneal: its name, its command and its
version, with a "Built on Anneal" line when the vendor keeps one.
"""

from __future__ import annotations

import textwrap

from django.core.management import get_commands, load_command_class

from core import __version__, product

INTRO = ("{name}: a self-hosted service for organizations, their members, projects and API tokens, with a web UI "
         "and a REST API. The open-source core is extended by plugins (the enterprise package adds SSO, an audit "
         "log and support tools).")


def _summary(app: str | None, name: str, command_class: type | None = None) -> str:
    try:
        command = command_class() if command_class is not None else load_command_class(app, name)
    except Exception as exc:  # a broken command must not break the help
        return f"(cannot be loaded: {type(exc).__name__})"
    text = str(getattr(command, "help", "") or "").strip()
    return product.rebranded(text.splitlines()[0]) if text else ""


def _section(title: str, rows: list[tuple[str, str]]) -> list[str]:
    if not rows:
        return []
    width = max(len(name) for name, _ in rows)
    return ["", f"{title}:", *(f"  {name.ljust(width)}  {summary}".rstrip() for name, summary in rows)]


def help_text(plugin_commands: dict[str, type]) -> str:
    """The full text; ``plugin_commands`` are the ``anneal_commands`` hook's (name to command class)."""
    own, from_plugins, django = [], [], []
    for name, app in sorted(get_commands().items()):
        if app.startswith("core"):
            own.append((name, _summary(app, name)))
        elif app.split(".")[0] in {"django", "rest_framework", "drf_spectacular", "whitenoise"}:
            django.append(name)
        else:
            from_plugins.append((name, _summary(app, name)))
    from_plugins += [(name, _summary(None, name, cls)) for name, cls in sorted(plugin_commands.items())]
    current = product.current()
    cli = current.cli_name
    lines = [f"{cli} {current.version}", "", textwrap.fill(INTRO.format(name=current.name), 96)]
    if current.built_on_anneal:
        lines.append(f"Built on Anneal {__version__}.")
    lines += ["", f"Usage: {cli} COMMAND [options]   ({cli} COMMAND --help shows a command's options)",
              f"       {cli} --version"]
    lines += _section(f"{current.short_name}'s commands", own)
    lines += _section("Commands from installed plugins", sorted(from_plugins))
    if django:
        lines += ["", "Django's commands (for developers and operators who know Django):",
                  textwrap.fill(", ".join(django), 96, initial_indent="  ", subsequent_indent="  ")]
    return "\n".join(lines) + "\n"

