"""The upgrade checks' decisions, each on the facts a probe would report."""

from __future__ import annotations

import io
import tarfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.backups.manifest import Manifest
from core.upgrade import checks
from core.upgrade.target import TargetFacts

APPLIED = [("core", "0001_initial"), ("core", "0002_outbound_contact")]


def facts(version: str = "0.2.0", *, plugins=(), stops=(), plan=None) -> TargetFacts:
    steps = plan if plan is not None else [{"app": "core", "name": "0003_x", "operations": []}]
    return TargetFacts(version, list(plugins), list(stops), {"plan": steps, "unknown_applied": []}, {})


def options(tmp_path: Path, installed: str = "0.1.0", **kwargs) -> checks.Options:
    defaults = dict(installed_version=installed, backup_dir=tmp_path, backup_max_age=timedelta(hours=24),
                    skip_backup_check=False, large_table_rows=100_000)
    return checks.Options(**{**defaults, **kwargs})


def plugin(name: str, requires: str | None) -> dict:
    return {"name": name, "distribution": f"anneal-{name}", "version": "1.0", "requires": requires, "error": None}


def levels(found) -> list[tuple[str, str]]:
    return [(f.level, f.topic) for f in found]


@pytest.mark.parametrize("installed, target, stop, blocked", [
    ("0.1.0", "0.3.0", "0.2.0", True),
    ("0.2.0", "0.3.0", "0.2.0", False),   # at the stop already
    ("0.1.0", "0.2.0", "0.2.0", False),   # upgrading to the stop itself
    ("0.2.1", "0.3.0", "0.2.0", False),   # past it
])
def test_a_required_stop_blocks_only_an_upgrade_that_jumps_over_it(tmp_path, installed, target, stop, blocked):
    found = checks.required_stops(facts(target, stops=[{"version": stop, "reason": "it converts data."}]),
                                  options(tmp_path, installed))
    assert (found[0].level == "blocker") is blocked
    if blocked:
        assert found[0].message.startswith("Anneal 0.2.0 must not be skipped: it converts data. Upgrade to 0.2.0 first")


def test_a_downgrade_is_a_blocker(tmp_path):
    (found,) = checks.versions(facts("0.1.0"), options(tmp_path, "0.2.0"))
    assert found.level == "blocker" and "downgrade" in found.message


def test_a_plugin_whose_range_excludes_the_new_version_blocks_and_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE", raising=False)
    found = checks.plugins(facts(plugins=[plugin("old", ">=0.1,<0.2"), plugin("fine", ">=0.1"), plugin("any", None)]),
                           {"old": "1.0", "fine": "1.0", "any": "1.0", "gone": "2.0"})
    assert levels(found) == [("blocker", "plugins"), ("ok", "plugins"), ("ok", "plugins"), ("warning", "plugins")]
    assert "Plugin old (anneal-old 1.0) supports Anneal >=0.1,<0.2, not 0.2.0: it would be refused" in found[0].message
    assert "Plugin gone 2.0 is installed now but not in the new version" in found[3].message


def test_allowing_an_incompatible_plugin_turns_its_blocker_into_a_warning(monkeypatch):
    monkeypatch.setenv("ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE", "old")
    (found,) = checks.plugins(facts(plugins=[plugin("old", ">=0.1,<0.2")]), {"old": "1.0"})
    assert found.level == "warning" and "ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE names it" in found.message


def test_a_plugin_that_fails_to_import_in_the_new_version_blocks():
    broken = {**plugin("broken", ">=0.1"), "error": "ImportError: cannot import name 'gone'"}
    (found,) = checks.plugins(facts(plugins=[broken]), {"broken": "1.0"})
    assert found.level == "blocker" and "ImportError: cannot import name 'gone'" in found.message


def _backup(path: Path, migrations, created: datetime, database: str = "sqlite") -> Path:
    manifest = Manifest("0.1.0", database, sorted(migrations), created_at=created.isoformat(timespec="seconds"))
    import json

    body = json.dumps(manifest.to_json()).encode()
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    return path


def test_only_a_recent_backup_of_this_very_schema_counts(tmp_path):
    now = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    _backup(tmp_path / "old.tar", APPLIED, now - timedelta(days=3))
    _backup(tmp_path / "other-schema.tar", APPLIED[:1], now - timedelta(hours=1))
    _backup(tmp_path / "postgres.tar", APPLIED, now - timedelta(hours=1), database="postgresql")
    (tmp_path / "damaged.tar").write_bytes(b"not a tar")
    (missing,) = checks.backups(facts(), options(tmp_path), vendor="sqlite", applied=APPLIED, now=now)
    assert missing.level == "blocker"
    assert f"The newest backup of this schema, {tmp_path / 'old.tar'}, is older than 24 hours" in missing.message

    _backup(tmp_path / "fresh.tar", APPLIED, now - timedelta(hours=2))
    (found,) = checks.backups(facts(), options(tmp_path), vendor="sqlite", applied=APPLIED, now=now)
    assert found.level == "ok" and str(tmp_path / "fresh.tar") in found.message


def test_without_migrations_to_run_no_backup_is_needed(tmp_path):
    (found,) = checks.backups(facts(plan=[]), options(tmp_path), vendor="sqlite", applied=APPLIED)
    assert found.level == "ok"


def test_skipping_the_backup_check_leaves_a_warning(tmp_path):
    (found,) = checks.backups(facts(), options(tmp_path, skip_backup_check=True), vendor="sqlite", applied=APPLIED)
    assert found.level == "warning" and "--skip-backup-check" in found.message


def test_migrations_the_new_version_does_not_know_block(tmp_path):
    target = TargetFacts("0.2.0", [], [], {"plan": [], "unknown_applied": ["anneal_gone.0001_initial"]}, {})
    found = checks.migrations(target, options(tmp_path))
    assert found[0].level == "blocker" and "anneal_gone.0001_initial" in found[0].message


def test_a_small_table_rewrite_is_not_a_warning_but_an_irreversible_step_always_is(tmp_path):
    op = {"operation": "AlterField", "description": "Alter field name on user", "reversible": True,
          "table": "core_user", "rows": 10, "rewrites": True, "scans": True, "destroys_data": False, "data": False}
    irreversible = {**op, "operation": "RunPython", "description": "Raw Python operation", "reversible": False,
                    "rewrites": False, "scans": False, "data": True, "table": None, "rows": None}
    plan = [{"app": "core", "name": "0003_x", "operations": [op, irreversible]}]
    found = checks.migrations(facts(plan=plan), options(tmp_path, large_table_rows=1000))
    assert levels(found) == [("ok", "migrations"), ("warning", "migrations")]
    assert "core.0003_x is irreversible" in found[1].message


def test_a_step_that_deletes_data_warns_only_when_the_table_has_rows(tmp_path):
    op = {"operation": "RemoveField", "description": "Remove field note from user", "reversible": True,
          "table": "core_user", "rows": 3, "rewrites": False, "scans": False, "destroys_data": True, "data": False}
    empty = {**op, "rows": 0}
    plan = [{"app": "core", "name": "0003_x", "operations": [op, empty]}]
    found = checks.migrations(facts(plan=plan), options(tmp_path))
    assert levels(found) == [("ok", "migrations"), ("warning", "migrations")]
    assert found[1].message.startswith("core.0003_x deletes data: Remove field note from user on core_user (3 rows)")


@pytest.mark.services
@pytest.mark.django_db
def test_on_postgresql_a_huge_table_is_counted_from_the_planner_estimate():
    from django.db import connection

    from core.upgrade.probe import RowCounter

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE upgrade_probe_huge (id int)")
        cursor.execute("INSERT INTO upgrade_probe_huge SELECT generate_series(1, 10)")
        cursor.execute("UPDATE pg_class SET reltuples = 5000000 WHERE relname = 'upgrade_probe_huge'")
        cursor.execute("CREATE TABLE upgrade_probe_small (id int)")
        cursor.execute("INSERT INTO upgrade_probe_small SELECT generate_series(1, 10)")
    rows = RowCounter(connection)
    assert rows("upgrade_probe_huge") == 5_000_000
    assert rows("upgrade_probe_small") == 10
    assert rows("no_such_table") is None
