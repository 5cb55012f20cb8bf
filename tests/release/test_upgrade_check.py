"""``anneal upgrade check`` against a real 0.1.0 database and the wheelhouses of two newer versions.

The database is migrated to the recorded 0.1.0 state (``deploy/releases/0.1.0.json``) with the
release's seed rows and some more users. The next minor version (BREAKING, 0.2.0 while the code
is 0.1.0) is built from this checkout with an extra core migration (a NOT NULL column with a
default, a column type change, a data migration without reverse) and a required stop between;
the installed example plugins and the enterprise package declare a range that ends before it
(``>=0.1,<0.2``). The next patch version (FITS) is the checkout as it is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from packaging.version import Version

from conftest import SERVICES, child_environment
from core import __version__

from .conftest import REPO, build_wheel
from .old_database import migrate_to_code, migrate_to_release

RECORD = REPO / "deploy" / "releases" / "0.1.0.json"
INSTALLED = Version(__version__)
FITS = f"{INSTALLED.major}.{INSTALLED.minor}.{INSTALLED.micro + 1}"
STOP = f"{INSTALLED.major}.{INSTALLED.minor}.{INSTALLED.micro + 2}"
BREAKING = f"{INSTALLED.major}.{INSTALLED.minor + 1}.0"
EXTRA_USERS = 5
LARGE = "3"  # rows: the 0.1.0 seed's users plus EXTRA_USERS make core_user "large"

EXTRA_MIGRATION = '''
from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("core", "User").objects.update(nickname="x")


class Migration(migrations.Migration):
    dependencies = [("core", "{leaf}")]
    operations = [
        migrations.AddField("user", "nickname", models.CharField(max_length=40, default="")),
        migrations.AlterField("user", "name", models.TextField(blank=True)),
        migrations.RunPython(forwards),
    ]
'''
STOPS = '''
from dataclasses import dataclass


@dataclass(frozen=True)
class RequiredStop:
    version: str
    reason: str


REQUIRED_STOPS = (RequiredStop("{stop}", "it converts webhook secrets that {breaking} can no longer read."),)
'''


def _core_source(into: Path, version: str) -> Path:
    shutil.copytree(REPO, into, ignore=lambda d, names: {n for n in names if Path(d) == REPO and n not in
                                                          {"pyproject.toml", "README.md", "LICENSE", "core"}}
                    | {n for n in names if n in {"__pycache__", "build", "var"} or n.endswith(".egg-info")})
    init = into / "core" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text()))
    return into


@pytest.fixture(scope="session")
def wheelhouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from django.db.migrations.loader import MigrationLoader

    root = tmp_path_factory.mktemp("wheelhouses")
    (leaf,) = [name for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes() if app == "core"]
    breaking = _core_source(root / "src-breaking", BREAKING)
    (breaking / "core" / "migrations" / "0099_upgrade_check_example.py").write_text(EXTRA_MIGRATION.format(leaf=leaf))
    (breaking / "core" / "upgrade" / "stops.py").write_text(STOPS.replace("{stop}", STOP).replace("{breaking}", BREAKING))
    houses = {BREAKING: root / "wheelhouse-breaking", FITS: root / "wheelhouse-fits"}
    build_wheel(breaking, houses[BREAKING])
    build_wheel(_core_source(root / "src-fits", FITS), houses[FITS])
    return houses


@pytest.fixture
def old_database(transactional_db: None, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of an installation whose database is at the recorded 0.1.0 state."""
    if SERVICES:
        migrate_to_release(json.loads(RECORD.read_text()), extra_users=EXTRA_USERS)
        try:
            yield child_environment(ANNEAL_DATA_DIR=str(tmp_path / "data"))
        finally:
            migrate_to_code()
        return
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["ANNEAL_DATA_DIR"] = str(tmp_path / "data")
    prepared = subprocess.run([sys.executable, str(Path(__file__).with_name("old_database.py")), str(RECORD),
                               str(EXTRA_USERS)], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert prepared.returncode == 0, prepared.stderr
    yield env


def anneal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "core.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600, cwd=env["ANNEAL_DATA_DIR"].rsplit("/", 1)[0])


def findings(result: subprocess.CompletedProcess[str], level: str, topic: str) -> list[dict]:
    report = json.loads(result.stdout)
    return [f for f in report["findings"] if f["level"] == level and f["topic"] == topic]


def applied_migrations(env: dict[str, str]) -> int:
    if SERVICES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            return cursor.fetchone()[0]
    with sqlite3.connect(Path(env["ANNEAL_DATA_DIR"]) / "anneal.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]


def test_an_upgrade_that_would_break_is_refused_with_every_reason_before_anything_changes(old_database, wheelhouses):
    before = applied_migrations(old_database)
    result = anneal(old_database, "upgrade", "check", "--wheelhouse", str(wheelhouses[BREAKING]), "--json",
                    "--large-table-rows", LARGE)

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["installed_version"], report["target_version"], report["ok"]) == (__version__, BREAKING, False)
    (stop,) = findings(result, "blocker", "required stops")
    assert f"Anneal {STOP} must not be skipped" in stop["message"]
    blocked_plugins = {f["details"]["plugin"] for f in findings(result, "blocker", "plugins")}
    assert blocked_plugins == {"enterprise", "prompts", "webhooks"}
    (backup,) = findings(result, "blocker", "backup")
    assert "run `anneal backup` first" in backup["message"]
    assert applied_migrations(old_database) == before  # nothing was applied

    # The migrations that would run, with the long and irreversible ones flagged and counted.
    (plan,) = [f for f in findings(result, "ok", "migrations") if "plan" in f["details"]]
    assert "core.0099_upgrade_check_example" in plan["details"]["plan"]
    # The new minor version would refuse the plugins (their range ends before it), so their migrations would not run.
    assert not any(name.startswith("anneal_") for name in plan["details"]["plan"])
    warnings = [f for f in findings(result, "warning", "migrations")
                if f["details"]["migration"] == "core.0099_upgrade_check_example"]
    by_operation = {(f["details"]["operation"], f["message"].split(":")[0].split(" ", 1)[1]): f for f in warnings}
    users = 2 + EXTRA_USERS
    alter = by_operation[("AlterField", "may take long")]
    assert alter["details"]["type_change"] and alter["details"]["rows"] == users
    assert f"on core_user ({users:,} rows)" in alter["message"] and "(the column changes type)" in alter["message"]
    assert ("RunPython", "is irreversible") in by_operation
    added = by_operation[("AddField", "may take long")]["message"]
    assert ("rewrites the table" if connection.vendor == "sqlite" else "reads every row") in added


def test_an_upgrade_that_fits_passes_with_a_recent_backup_and_a_license_in_force(old_database, wheelhouses):
    from anneal_enterprise.licensing.testing import TestSigner

    signer = TestSigner("upgrade-test-key")
    env = {**old_database, "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS": signer.extra_public_keys_json(),
           "ANNEAL_LICENSE_KEY": signer.issue()}
    backup_dir = Path(env["ANNEAL_DATA_DIR"]) / "backups"
    made = anneal(env, "backup")
    assert made.returncode == 0, made.stderr

    result = anneal(env, "upgrade", "check", "--wheelhouse", str(wheelhouses[FITS]))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Upgrade check: Anneal {__version__} -> {FITS} (nothing was changed)" in result.stdout
    assert "BLOCKER" not in result.stdout
    assert f"ok       Backup {backup_dir}/anneal-" in result.stdout
    assert f"ok       Plugin webhooks (anneal-webhooks {__version__}) supports Anneal " in result.stdout
    assert "signed with the test key upgrade-test-key" in result.stdout
    assert "anneal_licensing.0001_initial" in result.stdout  # an app the 0.1.0 database does not have yet
    assert "0 blockers" in result.stdout

    # The same version installed in an interpreter of its own: --python.
    new_python = installed_elsewhere(wheelhouses[FITS], Path(env["ANNEAL_DATA_DIR"]).parent / "venv-fits")
    installed = anneal(env, "upgrade", "check", "--python", str(new_python), "--json")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert json.loads(installed.stdout)["target_version"] == FITS


def installed_elsewhere(wheelhouse: Path, venv_dir: Path) -> Path:
    """A virtualenv with the wheelhouse's Anneal unpacked in it, over this one's dependencies."""
    import site
    import venv
    import zipfile

    venv.EnvBuilder(with_pip=False).create(venv_dir)
    (own_site,) = venv_dir.glob("lib/python3*/site-packages")
    for wheel in wheelhouse.glob("*.whl"):
        zipfile.ZipFile(wheel).extractall(own_site)
    # addsitedir, not a bare path: it also runs the .pth files of the editable installs there.
    (own_site / "dependencies.pth").write_text(
        "".join(f"import site; site.addsitedir({path!r})\n" for path in site.getsitepackages()))
    return venv_dir / "bin" / "python"


def test_a_folder_without_anneal_wheel_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="has no anneal-\\*.whl: it is not an Anneal wheelhouse"):
        call_command("upgrade", "check", "--wheelhouse", str(tmp_path))
