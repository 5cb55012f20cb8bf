from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the Celery beat scheduler that sends periodic jobs to the workers (needs REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("celery_args", nargs="*", help="Extra arguments for `celery beat`.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        from core.jobs import app

        if not settings.REDIS_URL:
            self.stderr.write("REDIS_URL is not set: the web process runs periodic jobs itself on the embedded default.")
            return
        schedule = str(settings.DATA_DIR / "celerybeat-schedule")
        app.start(["beat", "--loglevel=INFO", "-s", schedule, *options["celery_args"]])
