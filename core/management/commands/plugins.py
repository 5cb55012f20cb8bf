"""``anneal plugins``: list plugins; ``anneal plugins new NAME``: scaffold one; ``anneal plugins docs``: the hook reference."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.plugins import budget, reference
from core.plugins.manager import summary
from core.plugins.scaffold import ScaffoldError, create_plugin
from core.wording import counted


class Command(BaseCommand):
    help = (
        "List every plugin with its version, supported core versions, status and hooks. "
        "`anneal plugins new NAME` creates a new plugin; `anneal plugins docs` writes the hook reference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        actions = parser.add_subparsers(dest="action", metavar="{new,docs}")
        new = actions.add_parser("new", help="Create a separately installable plugin with passing tests.")
        new.add_argument("name", help="The plugin's name, e.g. hello-world (lowercase, digits, hyphens).")
        new.add_argument("--directory", default=".", help="Where to create it (default: the current folder).")
        docs = actions.add_parser("docs", help="Generate the hook reference (docs/plugins/hooks.md).")
        docs.add_argument("--output", help="Write to this file instead of printing.")
        docs.add_argument("--check", action="store_true",
                          help="Exit with an error when --output differs from what would be generated.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action == "new":
            self.new(options["name"], Path(options["directory"]))
        elif action == "docs":
            self.docs(options.get("output"), options.get("check", False))
        else:
            self.list(options["json"])

    def list(self, as_json: bool) -> None:
        rows = summary()
        slow: dict[str, list[budget.SlowHook]] = {}
        for entry in budget.overview():
            slow.setdefault(entry.plugin, []).append(entry)
        if as_json:
            for row in rows:
                row["slow_hooks"] = [
                    {"hook": s.hook, "count": s.count, "slowest_ms": round(s.slowest_ms, 1)} for s in slow.get(row["name"], [])
                ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            style = self.style.SUCCESS if row["status"] == "loaded" else self.style.ERROR
            kind = " (built in)" if row["builtin"] else ""
            self.stdout.write(style(f"{row['name']}{kind}  {row['version'] or '-'}  {row['status']}"))
            self.stdout.write(f"    supports anneal: {row['requires'] or 'any'}")
            if row["error"]:
                self.stdout.write(self.style.ERROR(f"    error: {row['error']}"))
            self.stdout.write(f"    hooks: {', '.join(row['hooks']) or '-'}")
            for entry in slow.get(row["name"], []):
                self.stdout.write(self.style.WARNING(
                    f"    slow: {entry.hook} over the {budget.budget_ms():.0f} ms budget {counted(entry.count, 'time')}, "
                    f"slowest {entry.slowest_ms:.0f} ms"
                ))

    def new(self, name: str, directory: Path) -> None:
        try:
            target = create_plugin(name, directory)
        except ScaffoldError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Created the {name} plugin in {target}"))
        self.stdout.write("Next:")
        self.stdout.write(f"    pip install -e '{target}[test]'")
        self.stdout.write(f"    cd {target} && python -m pytest")
        self.stdout.write("    anneal plugins        # lists it as loaded")

    def docs(self, output: str | None, check: bool) -> None:
        text = reference.render()
        if output is None:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `anneal plugins docs --output {path}`.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
