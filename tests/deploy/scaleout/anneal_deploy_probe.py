"""The scale-out test's probe: a job that records each run, and a page that enqueues it.

Loaded into the test's gunicorn processes (``gunicorn.conf.py`` here wraps Anneal's WSGI
application with the page) and Celery workers (``--include anneal_deploy_probe``). Runs are
rows in ``deploy_probe_runs``, a table the test creates in its database, so a job that ran twice
shows up twice.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from typing import Callable, Iterable

from django.db import connection

from core.jobs import app

TABLE = "deploy_probe_runs"


def record(key: str, phase: str, hostname: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (job_key, phase, hostname, pid) VALUES (%s, %s, %s, %s)",
            [key, phase, hostname, os.getpid()],
        )


@app.task(bind=True, name="anneal_deploy_probe.run")
def run(self, key: str, seconds: float = 0.0) -> str:
    record(key, "started", self.request.hostname or "")
    time.sleep(seconds)
    record(key, "finished", self.request.hostname or "")
    return key


def with_enqueue_page(application: Callable) -> Callable:
    """Wrap the WSGI application: ``POST /_probe/enqueue`` (key, seconds) enqueues the probe job;
    every other request goes to Anneal unchanged."""

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/_probe/enqueue" or environ.get("REQUEST_METHOD") != "POST":
            return application(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode())
        key = form["key"][0]
        result = run.delay(key, float(form.get("seconds", ["0"])[0]))
        body = json.dumps({"task_id": result.id, "key": key, "web_pid": os.getpid()}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi
