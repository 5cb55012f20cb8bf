from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker that executes background jobs (needs REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("celery_args", nargs="*", help="Extra arguments for `celery worker`.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        from core.jobs import app

        if not settings.REDIS_URL:
            self.stderr.write("REDIS_URL is not set: on the embedded default jobs run in-process and no worker is needed.")
            return
        app.worker_main(["worker", "--loglevel=INFO", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, *options["celery_args"]])
