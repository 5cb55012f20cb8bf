"""The Celery application.

With ``REDIS_URL`` set, tasks go through Redis to ``anneal worker`` processes and ``anneal beat``
sends periodic tasks. With nothing configured, tasks run in-process (eager) and the embedded
scheduler (:mod:`core.scheduler`) runs the periodic ones inside the web process.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

app = Celery("anneal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def configure_from_plugins() -> None:
    from core.plugins import hooks

    app.conf.imports = tuple(hooks.task_modules())
    app.conf.beat_schedule = {
        task.name: {"task": task.task, "schedule": task.seconds, "kwargs": task.kwargs}
        for task in hooks.periodic_tasks()
    }


@app.on_after_configure.connect
def _plugins(sender: Celery, **_: object) -> None:
    configure_from_plugins()
