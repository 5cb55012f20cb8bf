"""``anneal support``: build a support bundle from the command line, for when the web UI is down."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from anneal_enterprise import entitlements
from anneal_enterprise.support import bundles, collectors, conf
from anneal_enterprise.support.models import SupportBundle
from core.events import Actor, actor_context
from core.services.errors import ServiceError

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Support bundles: `anneal support collectors` lists collectors, `anneal support bundle` builds one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["bundle", "collectors"])
        parser.add_argument("-c", "--collector", action="append", dest="collectors",
                            help="A collector id to include (repeat it); the default collectors when left out.")
        parser.add_argument("--all", action="store_true", help="Include every collector, opt-in ones too.")
        parser.add_argument("--encrypt", action="store_true",
                            help="Encrypt with age to the vendor's keys (ANNEAL_SUPPORT_AGE_RECIPIENTS).")
        parser.add_argument("-r", "--recipient", action="append", default=[], help="Another age public key.")
        parser.add_argument("-o", "--output", help="Where to write the bundle (default: its name in this folder).")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "collectors":
            for entry in collectors.registry().values():
                flag = "default" if entry.default else "opt-in "
                self.stdout.write(f"{entry.id:<16} {flag} {entry.description} ({entry.plugin})")
            return
        if entitlements.state(entitlements.SUPPORT) != "enabled":
            raise CommandError("Support bundles need an enterprise license with the support feature. "
                               "`anneal doctor` (free) still runs every health check.")
        ids = list(collectors.registry()) if options["all"] else options["collectors"]
        recipients = (conf.age_recipients() if options["encrypt"] else []) + options["recipient"]
        if options["encrypt"] and not conf.age_recipients():
            raise CommandError("--encrypt needs ANNEAL_SUPPORT_AGE_RECIPIENTS; or pass --recipient age1….")
        with actor_context(Actor.system("anneal support bundle (command line)")):
            try:
                bundle = bundles.create_bundle(None, ids, recipients, enqueue=False)
            except ServiceError as exc:
                raise CommandError(exc.message) from None
            bundle = bundles.build_bundle(bundle.pk, None if options["no_progress"] else self._progress)
            if not options["no_progress"]:
                sys.stderr.write("\n")
            if bundle.status != SupportBundle.Status.READY:
                raise CommandError(f"The bundle could not be built: {bundle.error}")
            data = bundles.record_download(bundle)
        output = Path(options["output"] or bundle.filename)
        output.write_bytes(data)
        for warning in bundle.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(f"Wrote {output} ({len(data)} bytes{', encrypted with age' if bundle.encrypted else ''}). "
                          f"Look inside before you send it: it holds {', '.join(bundle.files)}.")

    def _progress(self, percent: int, step: str) -> None:
        filled = BAR_WIDTH * percent // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}% {step[:40]:<40}")
        sys.stderr.flush()
