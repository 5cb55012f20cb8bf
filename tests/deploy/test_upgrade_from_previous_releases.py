"""Upgrading keeps every row: a database at a recorded release, with data in it, migrates forward.

Each ``deploy/releases/<version>.json`` holds the leaf migrations of a release (recorded with
``deploy/releases/record.py``) and ``seed`` rows written with that release's models. The test
migrates the test database back to the release with Django's MigrationExecutor (apps that did
not exist then go back to zero), writes the seed through the historical models, migrates forward
to the code at hand and compares every row and field that still exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .conftest import DEPLOY

pytestmark = pytest.mark.django_db(transaction=True)

RELEASES = sorted((DEPLOY / "releases").glob("*.json"))
Target = tuple[str, str | None]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def targets_for(record: dict[str, Any], executor: MigrationExecutor) -> list[Target]:
    """The migration targets that put the database where the release left it."""
    recorded = {(app, name) for app, names in record["migrations"].items() for name in names}
    known_apps = {app for app, _ in executor.loader.graph.nodes}
    targets: list[Target] = sorted(recorded)
    targets += sorted((app, None) for app in known_apps - set(record["migrations"]))
    return targets


def write_seed(record: dict[str, Any], historical_apps: Any) -> dict[tuple[str, int], dict[str, Any]]:
    """Insert the seed with the release's models; return what the database holds for each row."""
    stored = {}
    for row in record["seed"]:
        model = historical_apps.get_model(row["model"])
        values = {}
        for name, value in row["fields"].items():
            field = model._meta.get_field(name)
            values[field.attname] = value
        model.objects.create(pk=row["pk"], **values)
    for row in record["seed"]:
        model = historical_apps.get_model(row["model"])
        stored[(row["model"], row["pk"])] = model.objects.filter(pk=row["pk"]).values(*row["fields"]).get()
    return stored


def migrate_to(targets: list[Target]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def executor() -> Any:
    """A fresh executor; whatever a test does, the database ends at the code's migrations."""
    current = MigrationExecutor(connection)
    leaves = current.loader.graph.leaf_nodes()
    yield current
    migrate_to(leaves)


def upgrade_keeps_every_row(record: dict[str, Any], executor: MigrationExecutor) -> None:
    leaves = executor.loader.graph.leaf_nodes()
    targets = targets_for(record, executor)
    old = migrate_to(targets)
    assert old.migration_plan(targets) == []
    state = old.loader.project_state([t for t in targets if t[1] is not None], at_end=True)
    before = write_seed(record, state.apps)

    new = migrate_to(leaves)

    assert new.migration_plan(leaves) == []
    for (label, pk), old_values in before.items():
        model = current_apps.get_model(label)
        still_there = [name for name in old_values if any(f.name == name for f in model._meta.get_fields())]
        after = model.objects.filter(pk=pk).values(*still_there).first()
        assert after is not None, f"{label} {pk} was lost in the upgrade from {record['version']}"
        assert after == {name: old_values[name] for name in still_there}, f"{label} {pk} changed in the upgrade"


@pytest.mark.parametrize("release", RELEASES, ids=[p.stem for p in RELEASES])
def test_a_database_of_a_recorded_release_upgrades_without_losing_data(release: Path, executor: MigrationExecutor) -> None:
    record = load(release)
    assert record["seed"], f"{release.name} has no seed rows to carry through the upgrade"
    upgrade_keeps_every_row(record, executor)


@pytest.mark.parametrize("release", RELEASES, ids=[p.stem for p in RELEASES])
def test_every_migration_a_release_shipped_is_still_in_the_code(release: Path, executor: MigrationExecutor) -> None:
    """Deleting or renaming a shipped migration would strand every database of that release."""
    record = load(release)
    nodes = set(executor.loader.graph.nodes)
    missing = [f"{app}.{name}" for app, names in record["migrations"].items() for name in names if (app, name) not in nodes]
    assert missing == [], f"{release.name} shipped migrations the code no longer has: {missing}"


def test_an_app_that_did_not_exist_in_the_release_is_migrated_from_nothing(executor: MigrationExecutor) -> None:
    """The mechanism really moves the schema: apps missing from a release record go back to
    zero (their tables are dropped) and are created again by the forward migration."""
    record = load(RELEASES[-1])
    record["migrations"] = {app: names for app, names in record["migrations"].items() if app not in {"admin", "sessions"}}
    targets = targets_for(record, executor)
    assert ("sessions", None) in targets

    old = migrate_to(targets)
    assert "django_session" not in connection.introspection.table_names()
    assert ("sessions", "0001_initial") not in old.loader.applied_migrations

    upgrade_keeps_every_row(record, executor)
    assert "django_session" in connection.introspection.table_names()


def test_the_release_of_this_version_is_recorded() -> None:
    from core import __version__

    assert (DEPLOY / "releases" / f"{__version__}.json").exists(), (
        f"Record release {__version__} with `python deploy/releases/record.py` (see docs/deploy/upgrading.md)."
    )
