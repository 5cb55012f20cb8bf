"""What one request costs in Python calls and SQL queries, counted exactly (no clocks).

    cost = request_cost("/api/v1/me/", token)   # warm, through Django's WSGI handler
    cost.calls, cost.queries

Python calls are ``sys.setprofile`` call events (C builtins are not counted), so the count does
not depend on the machine's load, and a regression fails a test instead of moving a benchmark
by less than its noise. The request runs through ``WSGIHandler`` like a served one (every
middleware, no test client in between), a few times first so that per-process caches are warm.
The fewest calls over ``samples`` runs are kept: work that runs at most once a second (the
license version, the shared cache's versions) falls into one of them at most.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class RequestCost:
    calls: int
    queries: list[str]
    status: int


def count_calls(run: Callable[[], Any]) -> int:
    """Python function calls made while ``run()`` runs."""
    calls = 0

    def counter(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(counter)
    try:
        run()
    finally:
        sys.setprofile(previous)
    return calls


def request_cost(path: str, token: str, *, warm: int = 3, samples: int = 3) -> RequestCost:
    """The calls and queries of a ``GET path`` authenticated with the API ``token``."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", SERVER_NAME="testserver",
                                             HTTP_AUTHORIZATION=f"Bearer {token}")
    handler = WSGIHandler()
    statuses: list[int] = []

    def get() -> None:
        # As Django's test client does: a test's connection (and its transaction) stays open.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(dict(environ), lambda status, headers: None)
            statuses.append(response.status_code)
            b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    for _ in range(warm):
        get()
    calls = min(count_calls(get) for _ in range(samples))
    with CaptureQueriesContext(connection) as captured:
        get()
    return RequestCost(calls=calls, queries=[q["sql"] for q in captured.captured_queries], status=statuses[-1])
