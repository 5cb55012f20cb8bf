"""The Celery application.

With ``REDIS_URL`` set, tasks go through Redis to ``anneal worker`` processes and ``anneal beat``
sends periodic tasks. With nothing configured, tasks run in-process (eager) and the embedded
scheduler (:mod:`core.scheduler`) runs the periodic ones inside the web process.
"""

from __future__ import annotations

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

app = Celery("anneal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def configure_from_plugins() -> None:
    from core.plugins import hooks

    app.conf.imports = tuple(hooks.task_modules())
    schedule = {}
    for plugin, task in hooks.periodic_tasks_by_plugin():
        if task.per_organization:  # fanned out by the core, so a plugin that is off for one never runs for it
            schedule[task.name] = {"task": "core.run_for_each_organization", "schedule": task.seconds,
                                   "kwargs": {"plugin": plugin, "task": task.task, "kwargs": task.kwargs}}
        else:
            schedule[task.name] = {"task": task.task, "schedule": task.seconds, "kwargs": task.kwargs}
    app.conf.beat_schedule = schedule


def discover_tasks() -> None:
    """Import every app's ``tasks.py`` and the plugins' task modules in this process now.

    Celery only autodiscovers when a worker boots; web processes need the tasks too, because the
    embedded scheduler and eager jobs run them in-process. Called once apps are ready.
    """
    from django.apps import apps

    app.autodiscover_tasks([config.name for config in apps.get_app_configs()], force=True)
    for module in app.conf.imports:
        importlib.import_module(module)


@app.on_after_configure.connect
def _plugins(sender: Celery, **_: object) -> None:
    configure_from_plugins()
