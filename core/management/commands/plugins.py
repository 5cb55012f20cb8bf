import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.plugins.manager import summary


class Command(BaseCommand):
    help = "List every plugin with its version, supported core versions, status and hooks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = summary()
        if options["json"]:
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
