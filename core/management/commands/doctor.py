from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.health import run_checks
from core.wording import counted


class Command(BaseCommand):
    help = "Run every health check and say what to do about each failure."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for outcome in run_checks():
            mark = self.style.SUCCESS("ok  ") if outcome.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {outcome.id:<14} {outcome.message}")
            if not outcome.ok:
                failed += outcome.critical
                if outcome.hint:
                    self.stdout.write(f"       -> {outcome.hint}")
        if failed:
            raise CommandError(f"{counted(failed, 'critical check')} failed.")
