"""``anneal audit verify|seal|public-key|purge``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.wording import counted


class Command(BaseCommand):
    help = "Audit log integrity: seal new records, verify chains and checkpoints, print the public key, purge."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check the records against their seals and signed checkpoints.")
        verify.add_argument("--organization", help="Organization slug or id; 'instance' for instance-wide events.")
        verify.add_argument("--export", type=Path, help="Verify a JSON Lines export offline instead of the database.")
        verify.add_argument("--public-key", type=Path,
                            help="PEM file of the public keys to trust (one or more), from `anneal audit public-key` kept outside the "
                                 "database; needed for --export. Without it the database's own keys are trusted.")
        verify.add_argument("--since-export", type=Path, metavar="FILE",
                            help="Check the database still holds everything an earlier export (or a SIEM copy of "
                                 "streamed batches) proved.")
        verify.add_argument("--json", action="store_true", help="Print the reports as JSON.")
        sub.add_parser("seal", help="Seal records now (the periodic task does this every few seconds).")
        sub.add_parser("public-key", help="Print the public keys that sign checkpoints, as PEM.")
        sub.add_parser("purge", help="Purge records past each organization's retention period now.")
        sub.add_parser("docs", help="Print the event-types documentation page generated from the registry.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _verify(self, organization: str | None, export: Path | None, public_key: Path | None, json: bool,
                since_export: Path | None = None, **_: Any) -> None:
        if since_export is not None:
            reports = self._since_export(since_export, public_key)
        elif export is not None:
            from anneal_enterprise.audit import offline

            if public_key is None:
                raise CommandError("--export needs --public-key (from `anneal audit public-key`).")
            try:
                keys = offline.load_public_keys(public_key.read_text())
                with export.open(encoding="utf-8") as lines:
                    reports = [offline.verify_export(lines, keys)]
            except (OSError, offline.ExportUnreadable) as exc:
                raise CommandError(f"Cannot verify the export: {exc}") from None
        else:
            from anneal_enterprise.audit import offline, verify

            try:
                keys = offline.load_public_keys(public_key.read_text()) if public_key else None
            except (OSError, offline.ExportUnreadable) as exc:
                raise CommandError(f"Cannot read the public keys: {exc}") from None
            reports = (verify.verify_all(public_keys=keys) if organization is None
                       else verify.verify_all(self._organization_id(organization), only=True, public_keys=keys))
        self._print(reports, json)
        if any(not report.intact for report in reports):
            raise CommandError("The audit log failed verification (see above).", returncode=1)

    @staticmethod
    def _since_export(path: Path, public_key: Path | None) -> list[Any]:
        from anneal_enterprise.audit import offline, since_export

        try:
            keys = offline.load_public_keys(public_key.read_text()) if public_key else None
            with path.open(encoding="utf-8") as lines:
                heads = since_export.signed_heads(lines)
        except (OSError, UnicodeDecodeError, offline.ExportUnreadable, since_export.NoSignedHead) as exc:
            raise CommandError(f"Cannot compare with the export: {exc}") from None
        return since_export.verify_since(heads, keys)

    def _print(self, reports: list[Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps([r.as_dict() for r in reports], indent=2))
            return
        if not reports:
            self.stdout.write("No audit records yet: nothing to verify.")
        for report in reports:
            self.stdout.write(report.summary())
            for note in report.notes:
                self.stdout.write(f"  note: {note}")

    @staticmethod
    def _organization_id(value: str) -> int | None:
        if value == "instance":
            return None
        from core.models import Organization

        organization = Organization.objects.filter(slug=value).first()
        if organization is not None:
            return organization.pk
        if value.isdigit():
            return int(value)  # a deleted organization keeps its audit trail under its id
        raise CommandError(f"No organization {value!r}: give a slug, an id or 'instance'.")

    def _seal(self, **_: Any) -> None:
        from anneal_enterprise.audit.sealing import seal

        result = seal()
        if result.skipped:
            raise CommandError(f"Sealing skipped: {result.skipped} Try again in a moment.")
        self.stdout.write(f"Sealed {counted(result.records, 'record')} in {counted(len(result.checkpoints), 'checkpoint')}; "
                          f"everything up to #{result.sealed_through} is sealed.")

    def _public_key(self, **_: Any) -> None:
        from anneal_enterprise.audit import signing

        signing.current_key()
        self.stdout.write(signing.public_keys_pem().rstrip("\n"))

    def _docs(self, **_: Any) -> None:
        from anneal_enterprise.audit.docs import event_types_page

        self.stdout.write(event_types_page(), ending="")

    def _purge(self, **_: Any) -> None:
        from anneal_enterprise.audit.retention import purge_expired

        results = purge_expired()
        self.stdout.write(f"Purged {sum(r.records for r in results)} records in {len(results)} organizations.")
