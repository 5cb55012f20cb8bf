"""PostgreSQL planner settings for a few reading statements, undone afterwards."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from django.db import connection, transaction


@contextmanager
def planner_settings(settings: dict[str, str]) -> Iterator[None]:
    """Run the statements inside with ``settings`` (``set_config(name, value, true)``).

    The block is a savepoint rolled back at its end, which undoes the settings even inside a
    longer transaction: the statements inside must only read. Elsewhere than on PostgreSQL the
    settings are not applied.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                               [part for pair in settings.items() for part in pair])
        yield
        transaction.set_rollback(True)
