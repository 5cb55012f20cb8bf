"""pytest plugin shipped with the enterprise package (entry point ``pytest11``).

The audit tables refuse TRUNCATE on PostgreSQL, but pytest-django empties every table with
TRUNCATE after each transactional test. This marks the throwaway *test* database (and only
it) with ``anneal.audit_test_database = on`` so the append-only trigger lets the test runner
empty it. UPDATE and DELETE stay refused, so tests still exercise the real triggers.
"""

from __future__ import annotations

import os
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def anneal_audit_test_database(request: Any) -> None:
    if not os.environ.get("DATABASE_URL"):
        return
    try:
        request.getfixturevalue("django_db_setup")
    except pytest.FixtureLookupError:
        return
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        from django.db import connections

        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            name = connection.settings_dict["NAME"]
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{name}" SET anneal.audit_test_database = \'on\'')
                cursor.execute("SET anneal.audit_test_database = 'on'")
