"""Put a database where a recorded release left it, with that release's seed rows in it.

``deploy/releases/<version>.json`` lists the leaf migration of each app of the release. Apps the
release did not have go back to nothing. Used in-process (PostgreSQL: the test database) and as
a script (``python old_database.py RECORD``) for a SQLite file that child processes share.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def targets_for(record: dict[str, Any], executor: Any) -> list[tuple[str, str | None]]:
    recorded = {(app, name) for app, names in record["migrations"].items() for name in names}
    known_apps = {app for app, _ in executor.loader.graph.nodes}
    return sorted(recorded) + sorted((app, None) for app in known_apps - set(record["migrations"]))


def migrate_to_release(record: dict[str, Any], extra_users: int = 0) -> None:
    """Migrate to the release's state and write its seed (plus ``extra_users`` users) with its models."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = targets_for(record, executor)
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state([t for t in targets if t[1] is not None], at_end=True)
    for row in record["seed"]:
        model = state.apps.get_model(row["model"])
        values = {model._meta.get_field(name).attname: value for name, value in row["fields"].items()}
        model.objects.create(pk=row["pk"], **values)
    user = state.apps.get_model("core.user")
    user.objects.bulk_create([user(email=f"bulk{n}@example.com", password="!") for n in range(extra_users)])


def migrate_to_code() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django

    django.setup()
    migrate_to_release(json.loads(Path(sys.argv[1]).read_text()), extra_users=int(sys.argv[2]))
