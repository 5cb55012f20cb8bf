"""The embedded scheduler: runs periodic tasks in a background thread when there is no beat.

It is started by the web process on the embedded default (``ANNEAL_EMBEDDED_SCHEDULER``), so a
single ``anneal run`` behaves like a deployment with workers and beat.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

logger = logging.getLogger("anneal.scheduler")


class EmbeddedScheduler:
    def __init__(self, tick: float = 1.0) -> None:
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_run: dict[str, float] = {}

    def due(self, now: float) -> list[dict]:
        from core.jobs import app

        due = []
        for name, entry in app.conf.beat_schedule.items():
            seconds = float(entry["schedule"])
            next_run = self._next_run.setdefault(name, now + seconds)
            if now >= next_run:
                self._next_run[name] = now + seconds
                due.append({"name": name, **entry})
        return due

    def run_due(self, now: float | None = None) -> list[str]:
        from core.jobs import app

        ran = []
        for entry in self.due(time.monotonic() if now is None else now):
            try:
                app.tasks[entry["task"]].apply(kwargs=entry.get("kwargs") or {}, throw=True)
                ran.append(entry["name"])
            except Exception:
                logger.exception("Periodic task %s failed", entry["name"])
            finally:
                close_old_connections()
        return ran

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="anneal-scheduler", daemon=True)
        self._thread.start()
        logger.info("Embedded scheduler started")

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.tick):
            self.run_due()


_scheduler = EmbeddedScheduler()


def start_embedded_scheduler() -> EmbeddedScheduler:
    _scheduler.start()
    return _scheduler
