"""Run inside the environment of the version to upgrade to; print what it would do, as JSON.

``anneal upgrade check`` starts this file as a script with the new version's packages first on
``sys.path`` (an unpacked wheelhouse) or with the new installation's interpreter. It must not
import the installed (old) Anneal's helpers: only the standard library, Django and whatever the
new version provides. It reads the database (the applied migrations, row counts) and changes
nothing: no migration table is created, no migration is applied.

Argument: ``--large-table-rows N``. Output: one JSON object on standard output.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import traceback
from importlib import metadata
from typing import Any


def _db_table(app_label: str, model_state: Any, connection: Any) -> str:
    from django.db.backends.utils import truncate_name

    table = model_state.options.get("db_table")
    return table or truncate_name(f"{app_label}_{model_state.name_lower}", connection.ops.max_name_length())


class RowCounter:
    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.tables = set(connection.introspection.table_names())
        self.cache: dict[str, int | None] = {}

    def __call__(self, table: str) -> int | None:
        if table not in self.tables:
            return None
        if table not in self.cache:
            quoted = self.connection.ops.quote_name(table)
            with self.connection.cursor() as cursor:
                estimate = None
                if self.connection.vendor == "postgresql":
                    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [quoted])
                    row = cursor.fetchone()
                    estimate = row[0] if row else None
                if estimate is not None and estimate > 1_000_000:
                    self.cache[table] = int(estimate)  # counting a huge table would take minutes
                else:
                    cursor.execute(f"SELECT COUNT(*) FROM {quoted}")
                    self.cache[table] = int(cursor.fetchone()[0])
        return self.cache[table]


def _field_type(field: Any, connection: Any) -> str | None:
    try:
        return field.db_parameters(connection)["type"]
    except Exception:  # a relation whose target is not rendered here: compare nothing
        return None


def analyse_operation(op: Any, app_label: str, state: Any, connection: Any, rows: RowCounter) -> dict[str, Any]:
    from django.db import migrations
    from django.db.models.fields import NOT_PROVIDED

    kind = type(op).__name__
    sqlite = connection.vendor == "sqlite"
    result: dict[str, Any] = {
        "operation": kind, "description": op.describe(), "reversible": bool(getattr(op, "reversible", True)),
        "table": None, "rows": None, "rewrites": False, "scans": False, "destroys_data": False, "data": False,
    }
    model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
    model_state = state.models.get((app_label, model_name.lower())) if isinstance(model_name, str) else None
    if isinstance(op, migrations.CreateModel):
        model_state = None  # a new table is empty
    if model_state is not None:
        result["table"] = _db_table(app_label, model_state, connection)
        result["rows"] = rows(result["table"])
    if isinstance(op, migrations.SeparateDatabaseAndState):
        parts = [analyse_operation(inner, app_label, state, connection, rows) for inner in op.database_operations]
        for flag in ("rewrites", "scans", "destroys_data", "data"):
            result[flag] = any(p[flag] for p in parts)
        result["reversible"] = all(p["reversible"] for p in parts)
        tables = [p for p in parts if p["table"]]
        if tables:
            result["table"], result["rows"] = tables[0]["table"], tables[0]["rows"]
    elif isinstance(op, migrations.RunPython):
        result["data"] = True
        result["reversible"] = op.reverse_code is not None
    elif isinstance(op, migrations.RunSQL):
        result["data"] = True
        result["reversible"] = op.reverse_sql is not None
    elif isinstance(op, migrations.AddField):
        field = op.field
        has_default = field.has_default() or field.db_default is not NOT_PROVIDED
        result["rewrites"] = sqlite and (not field.null or has_default or field.unique)
        result["scans"] = bool(field.unique or field.db_index or field.is_relation or not field.null)
    elif isinstance(op, migrations.AlterField):
        old = model_state.fields.get(op.name) if model_state is not None else None
        changed_type = old is None or _field_type(old, connection) != _field_type(op.field, connection)
        result["rewrites"] = sqlite or changed_type
        result["scans"] = True
        result["type_change"] = bool(old is not None and changed_type)
    elif isinstance(op, migrations.RemoveField):
        result["destroys_data"] = True
        result["rewrites"] = sqlite
    elif isinstance(op, migrations.DeleteModel):
        result["destroys_data"] = True
    elif isinstance(op, (migrations.AddIndex, migrations.AddConstraint, migrations.AlterUniqueTogether)):
        result["scans"] = True
    return result


def migration_plan(large_table_rows: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.migrations.exceptions import InconsistentMigrationHistory, NodeNotFoundError
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    if not MigrationRecorder(connection).has_table():
        return {"error": "The database has no django_migrations table: it is empty, or not Anneal's database."}
    try:
        executor = MigrationExecutor(connection)
        executor.loader.check_consistent_history(connection)
    except (InconsistentMigrationHistory, NodeNotFoundError) as error:
        return {"error": f"The new version's migrations do not fit this database: {error}"}
    loader = executor.loader
    graph = loader.graph
    replaced = {m for key in loader.replacements for m in loader.replacements[key].replaces}
    unknown = sorted(f"{a}.{n}" for a, n in loader.applied_migrations
                     if (a, n) not in graph.nodes and (a, n) not in replaced)
    plan = executor.migration_plan(graph.leaf_nodes())
    state = executor._create_project_state(with_applied_migrations=True)
    rows = RowCounter(connection)
    steps = []
    for migration, backwards in plan:
        if backwards:
            continue
        operations = []
        for op in migration.operations:
            operations.append(analyse_operation(op, migration.app_label, state, connection, rows))
            op.state_forwards(migration.app_label, state)
        steps.append({"app": migration.app_label, "name": migration.name, "operations": operations})
    return {"vendor": connection.vendor, "unknown_applied": unknown, "plan": steps,
            "large_table_rows": large_table_rows}


def plugins() -> list[dict[str, Any]]:
    found = []
    seen = set()
    for entry_point in sorted(metadata.entry_points(group="anneal"), key=lambda e: e.name):
        if entry_point.name in seen:
            continue
        seen.add(entry_point.name)
        dist = getattr(entry_point, "dist", None)
        row: dict[str, Any] = {"name": entry_point.name, "distribution": dist.name if dist else None,
                               "version": dist.version if dist else None, "requires": None, "error": None,
                               "location": None}
        try:
            module = importlib.import_module(entry_point.module)
            row["requires"] = getattr(module, "anneal_requires", None)
            row["version"] = getattr(module, "__version__", None) or row["version"]
            top = importlib.util.find_spec(entry_point.module.split(".")[0])
            if top is not None and top.submodule_search_locations:
                row["location"] = list(top.submodule_search_locations)[0]
        except Exception as error:
            row["error"] = f"{type(error).__name__}: {error}"
        found.append(row)
    return found


def required_stops() -> list[dict[str, str]]:
    try:
        stops = importlib.import_module("core.upgrade.stops")
    except ImportError:
        return []
    return [{"version": s.version, "reason": s.reason} for s in stops.REQUIRED_STOPS]


def distributions() -> dict[str, str]:
    result: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in result:
            result[name.lower()] = dist.version
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large-table-rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    report: dict[str, Any] = {"python": sys.version.split()[0], "sys_path": [p for p in sys.path if p]}
    try:
        import core

        report["version"] = core.__version__
        report["core_location"] = list(core.__path__)[0]
        import django

        django.setup()
        report["plugins"] = plugins()
        report["required_stops"] = required_stops()
        report["distributions"] = distributions()
        report["migrations"] = migration_plan(args.large_table_rows)
    except Exception as error:
        report["error"] = f"{type(error).__name__}: {error}"
        report["traceback"] = traceback.format_exc()
    sys.stdout.write(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
