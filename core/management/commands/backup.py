from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core import product
from core.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL with pg_dump, SQLite with its backup API) with a manifest of "
        "versions and migrations, into one .tar file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?",
            help=f"File to write (default: <ANNEAL_DATA_DIR>/backups/{product.current().file_prefix}-<time>.tar).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"]:
            target = Path(options["path"])
        else:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            target = Path(settings.DATA_DIR) / "backups" / f"{product.current().file_prefix}-{stamp}.tar"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            manifest = create_backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
        self.stdout.write(
            f"  Anneal {manifest.anneal_version}, {manifest.database}, {len(manifest.migrations)} migrations applied"
        )
        self.stdout.write("  Keep ANNEAL_SECRET_KEY and your license with it: the backup does not contain them.")
