"""``anneal license preview FILE|-``, ``install FILE|-``, ``show`` and ``remove``."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import product


class Command(BaseCommand):
    help = "Show, install or remove the edition's license key (works offline)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser("install", help="Install a key from FILE, or from standard input with -.")
        install.add_argument("file", help="A file holding the key, or - to read it from standard input.")
        preview = sub.add_parser("preview", help="Show what installing the key in FILE (or - for standard input) "
                                 "would change, without installing it.")
        preview.add_argument("file", help="A file holding the key, or - to read it from standard input.")
        preview.add_argument("--json", action="store_true", help="Print JSON.")
        sub.add_parser("trial", help="Start the edition's offline trial (once per instance; no network needed).")
        show = sub.add_parser("show", help="Show the license in force.")
        show.add_argument("--json", action="store_true", help="Print JSON.")
        remove = sub.add_parser("remove", help="Remove a license; its features turn off. No data is deleted.")
        remove.add_argument("--product", default=None,
                            help="Whose license: a plugin's name; default: the edition's.")

    def handle(self, *args: Any, **options: Any) -> None:
        from anneal_enterprise.licensing import services, sources, status
        from anneal_enterprise.licensing.errors import LicenseRefused
        from anneal_enterprise.licensing.models import LicenseKey

        sources.sync_environment()
        action = options["action"]
        if action == "preview":
            self._preview(self._read(options["file"]), options["json"])
            return
        try:
            if action == "trial":
                from anneal_enterprise.licensing import trial

                record = trial.start(source=LicenseKey.Source.CLI)
                self.stdout.write(self.style.SUCCESS(f"Started the trial {record.license_id}."))
            elif action == "install":
                name = options["file"]
                text = self._read(name)
                record = services.install(text, source=LicenseKey.Source.CLI,
                                          detail="" if name == "-" else name)
                self.stdout.write(self.style.SUCCESS(f"Installed license {record.license_id} for {record.licensee}."))
            elif action == "remove":
                from anneal_enterprise.licensing import keyring

                product = options["product"] or keyring.primary_product()
                record = services.remove(source=LicenseKey.Source.CLI, product=product)
                if record is None:
                    self.stdout.write(f"No license was installed for {product}.")
                elif product == "anneal" and product == keyring.primary_product():
                    self.stdout.write(self.style.SUCCESS(
                        f"Removed license {record.license_id}; Anneal runs as the free edition."))
                else:
                    self.stdout.write(self.style.SUCCESS(
                        f"Removed license {record.license_id} of {product}; its features are off, its data is kept."))
        except LicenseRefused as refusal:
            raise CommandError(refusal.message) from None
        status.refresh(force=True)
        self._show(options.get("json", False))

    def _read(self, name: str) -> str:
        if name == "-":
            return sys.stdin.read()
        try:
            with open(name, encoding="ascii", errors="replace") as handle:
                return handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}.") from None

    def _preview(self, text: str, as_json: bool) -> None:
        from anneal_enterprise.licensing import preview

        shown = preview.preview(text).as_json()
        if as_json:
            self.stdout.write(json.dumps(shown, indent=2))
        else:
            self._print_preview(shown)
        if not shown["installable"]:
            raise CommandError(f"This key would be refused: {shown['refusal']['detail']}")

    def _print_preview(self, shown: dict[str, Any]) -> None:
        license = shown.get("license")
        if license is None:
            return
        self.stdout.write(f"License:   {license['license_id']} for {license['licensee']} ({shown['issuer']})")
        if shown["replaces"]:
            self.stdout.write(f"Replaces:  {shown['replaces']}")
        self.stdout.write(f"Valid:     {license['starts_at']} to {license['expires_at']}, grace until "
                          f"{shown['grace_ends_at']} ({shown['stage']} today)")
        self.stdout.write(f"Signed by: {shown['key_id']} ({shown['key_kind']} key)")
        if shown["product"] == "anneal":
            seats = shown["seats"]
            self.stdout.write(f"Seats:     {seats['in_use']} in use of {seats['licensed']} (limit {seats['limit']})"
                              + ("  MORE IN USE THAN LICENSED" if seats["over"] else ""))
        self.stdout.write("Features:")
        for change in shown["features"]:
            self.stdout.write(f"  {change['feature']}: {change['now']} -> {change['label']}")
        for quota in shown["quotas_exceeded"]:
            self.stdout.write(self.style.WARNING(
                f"Exceeded:  {quota['label']}: {quota['in_use']} in use, the key allows {quota['licensed']}"))
        if shown["installable"]:
            self.stdout.write("Nothing was installed. Install it with: anneal license install FILE")

    def _show(self, as_json: bool) -> None:
        from anneal_enterprise.licensing.api import license_summary

        summary = license_summary()
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        license = summary["license"]
        if license is None:
            self.stdout.write(f"No license: {product.current().name} runs as the free edition.")
        else:
            self.stdout.write(f"License:   {license['license_id']} for {license['licensee']} ({summary['stage']})")
            self.stdout.write(f"Valid:     {license['starts_at']} to {license['expires_at']}, grace {license['grace_days']} days")
            self.stdout.write(f"Seats:     {summary['seats']['in_use']} in use of {license['seats']} (limit {summary['seats']['limit']})")
            self.stdout.write(f"Signed by: {summary['key_id']} ({summary['key_kind']} key)")
            self.stdout.write(f"Source:    {summary['source_label']}" + (f" ({summary['source_detail']})" if summary["source_detail"] else ""))
        for name, state in summary["features"].items():
            self.stdout.write(f"  {name}: {state}")
        trial = summary["trial"]
        if summary["is_trial"] and license is not None:
            self.stdout.write(f"Trial:     started {trial['started_at']}, ends {trial['ends_at']}")
        elif trial["available"]:
            self.stdout.write(f"Trial:     a {trial['days']}-day trial of {trial['edition']} is available: "
                              "anneal license trial")
        if summary["error"]:
            self.stdout.write(self.style.ERROR(summary["error"]))
        from anneal_enterprise.licensing.usage import instance_key

        self.stdout.write(f"Instance:  {instance_key.describe()['key_id']} (give this identifier to your vendor)")
        for entry in summary["licenses"]:
            if entry["product"] == summary["primary_product"]:
                continue
            license = entry["license"]
            self.stdout.write("")
            if license is None:
                self.stdout.write(f"License of {entry['issuer']} ({entry['product']}): " + self.style.ERROR(entry["error"]))
                continue
            self.stdout.write(f"License:   {license['license_id']} for {license['licensee']} from {entry['issuer']} "
                              f"({entry['product']}, {entry['stage']})")
            self.stdout.write(f"Valid:     {license['starts_at']} to {license['expires_at']}, grace {license['grace_days']} days")
            self.stdout.write(f"Signed by: {entry['key_id']} ({entry['key_kind']} key)")
            for name, state in entry["features"].items():
                self.stdout.write(f"  {name}: {state}")
