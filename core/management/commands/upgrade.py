"""``anneal upgrade check``: what an upgrade to a new version would do and break, before anything changes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core import __version__
from core.plugins import hooks
from core.plugins.manager import records
from core.plugins.types import UpgradeFinding
from core.upgrade import checks
from core.upgrade.target import TargetError, TargetFacts, examine_installation, examine_wheelhouse
from core.wording import counted

MARKS = {"ok": "ok     ", "warning": "WARNING", "blocker": "BLOCKER"}


class Command(BaseCommand):
    help = (
        "`anneal upgrade check --wheelhouse DIR` (or `--python NEW_PYTHON`) reports, before anything "
        "changes, the migrations the new version would run (irreversible or long ones with row counts), "
        "plugins whose core range excludes it, whether a recent backup exists, required stops and "
        "the plugins' own checks. Exits with status 1 when the upgrade would break something."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{check}", required=True)
        check = actions.add_parser("check", help="Check an upgrade without changing anything.")
        source = check.add_mutually_exclusive_group(required=True)
        source.add_argument("--wheelhouse", type=Path, help="The new version's wheelhouse (a directory of wheels).")
        source.add_argument("--python", help="The interpreter of an installed new version, e.g. /opt/anneal-new/bin/python.")
        check.add_argument("--json", action="store_true", help="Print the findings as JSON.")
        check.add_argument("--backup-dir", type=Path, help="Where backups are (default: <ANNEAL_DATA_DIR>/backups).")
        check.add_argument("--backup-max-age-hours", type=float, default=24.0,
                           help="How recent a backup must be (default 24).")
        check.add_argument("--skip-backup-check", action="store_true",
                           help="You back up another way (database snapshots): a missing backup only warns.")
        check.add_argument("--large-table-rows", type=int, default=100_000,
                           help="A table with at least this many rows makes a rewriting migration a warning (default 100000).")

    def handle(self, *args: Any, **options: Any) -> None:
        check_options = checks.Options(
            installed_version=__version__,
            backup_dir=options["backup_dir"] or Path(settings.DATA_DIR) / "backups",
            backup_max_age=timedelta(hours=options["backup_max_age_hours"]),
            skip_backup_check=options["skip_backup_check"],
            large_table_rows=options["large_table_rows"],
        )
        source = (examine_wheelhouse(options["wheelhouse"], large_table_rows=check_options.large_table_rows)
                  if options["wheelhouse"] else
                  examine_installation(options["python"], large_table_rows=check_options.large_table_rows))
        try:
            with source as facts:
                findings = self.findings(facts, check_options)
                target_version = facts.version
        except TargetError as error:
            raise CommandError(f"Cannot check the upgrade: {error}") from None
        blockers = [f for f in findings if f.level == "blocker"]
        if options["json"]:
            self.stdout.write(json.dumps({
                "installed_version": __version__, "target_version": target_version, "ok": not blockers,
                "findings": [{"level": f.level, "topic": f.topic, "message": f.message, "details": f.details}
                             for f in findings],
            }, indent=2, default=str))
        else:
            self.render(findings, target_version)
        if blockers:
            raise CommandError(f"The upgrade to {target_version} would break {counted(len(blockers), 'thing')}; see the "
                               "BLOCKER lines. Nothing was changed.", returncode=1)

    def findings(self, facts: TargetFacts, options: checks.Options) -> list[UpgradeFinding]:
        installed_plugins = {r.name: r.version for r in records() if not r.builtin}
        recorder = MigrationRecorder(connection)
        applied = sorted(recorder.applied_migrations()) if recorder.has_table() else []
        found: list[UpgradeFinding] = []
        found += checks.versions(facts, options)
        found += checks.required_stops(facts, options)
        found += checks.migrations(facts, options)
        found += checks.plugins(facts, installed_plugins)
        found += checks.backups(facts, options, vendor=connection.vendor, applied=applied)
        found += hooks.upgrade_checks(facts.as_target())
        return found

    def render(self, findings: list[UpgradeFinding], target_version: str) -> None:
        style = {"ok": self.style.SUCCESS, "warning": self.style.WARNING, "blocker": self.style.ERROR}
        self.stdout.write(f"Upgrade check: Anneal {__version__} -> {target_version} (nothing was changed)")
        for topic in dict.fromkeys(f.topic for f in findings):
            self.stdout.write(f"\n{topic}")
            for finding in (f for f in findings if f.topic == topic):
                self.stdout.write(style[finding.level](f"  {MARKS[finding.level]}  {finding.message}"))
        blockers = sum(f.level == "blocker" for f in findings)
        warnings = sum(f.level == "warning" for f in findings)
        self.stdout.write(f"\n{counted(blockers, 'blocker')}, {counted(warnings, 'warning')}.")
