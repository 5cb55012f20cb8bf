from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import product
from core.backups import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `anneal backup`. Refuses a backup of another "
        "schema version unless --force. Stop web, worker and beat processes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A backup file made by `anneal backup`.")
        parser.add_argument("--force", action="store_true", help="Restore even if the backup's migrations differ.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        try:
            manifest = read_manifest(source)
            if options["interactive"]:
                answer = input(
                    f"Replace everything in this database with the backup of {manifest.created_at} "
                    f"(Anneal {manifest.anneal_version})? Type 'yes' to continue: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled; nothing was changed.")
            manifest, warnings = restore_backup(source, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(
            f"Restored {source} (Anneal {manifest.anneal_version}, {len(manifest.migrations)} migrations)."
        ))
        self.stdout.write(f"Restart web, worker and beat processes; run `{product.current().cli_name} migrate` if you "
                          "restored an older backup.")
