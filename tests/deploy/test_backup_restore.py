"""`anneal backup` / `anneal restore`: a round trip gives back exactly what was saved.

Runs on SQLite (embedded default, sqlite backup API) and on PostgreSQL (services mode,
pg_dump / pg_restore), whichever the suite is configured for.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any, Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, Any]:
    from core.models import Membership, Organization, Project, User

    return {
        "users": sorted(User.objects.values_list("email", "name", "password")),
        "organizations": sorted(Organization.objects.values_list("slug", "name")),
        "memberships": sorted(Membership.objects.values_list("organization__slug", "user__email", "role")),
        "projects": sorted(Project.objects.values_list("organization__slug", "name")),
    }


@pytest.fixture
def populated(make_organization: Callable[..., Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    from core.models import Project

    owner = make_user("owner@example.com", name="Owner Ödön")
    organization = make_organization("Backups Ltd", owner=owner)
    Project.objects.create(organization=organization, name="Kept project")
    return snapshot()


def rewrite(source: Path, target: Path, manifest_change: Callable[[dict], None] | None = None,
            dump_bytes: bytes | None = None) -> Path:
    """Copy a backup, changing its manifest or database copy (a tampered or foreign backup)."""
    with tarfile.open(source) as original, tarfile.open(target, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name == "manifest.json" and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            elif member.name != "manifest.json" and dump_bytes is not None:
                data = dump_bytes
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


def test_restore_brings_back_exactly_what_was_backed_up(populated: dict, tmp_path: Path, make_user: Callable) -> None:
    from core.models import Organization

    backup = tmp_path / "anneal.tar"
    call_command("backup", str(backup), stdout=io.StringIO())
    Organization.objects.all().delete()
    make_user("added-after-backup@example.com")
    assert snapshot() != populated

    out = io.StringIO()
    call_command("restore", str(backup), interactive=False, stdout=out)

    assert snapshot() == populated
    assert "Restored" in out.getvalue()


def test_the_manifest_records_version_database_and_applied_migrations(populated: dict, tmp_path: Path) -> None:
    from django.db.migrations.recorder import MigrationRecorder

    from core import __version__
    from core.backups import read_manifest

    backup = tmp_path / "anneal.tar"
    call_command("backup", str(backup), stdout=io.StringIO())
    manifest = read_manifest(backup)
    assert manifest.anneal_version == __version__
    assert manifest.database == connection.vendor
    assert set(manifest.migrations) == set(MigrationRecorder(connection).applied_migrations())
    assert ("core", "0001_initial") in manifest.migrations
    with tarfile.open(backup) as archive:
        names = set(archive.getnames())
    assert names == {"manifest.json", "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"}


def test_a_backup_of_a_newer_schema_is_refused_without_force(populated: dict, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    newer = rewrite(tmp_path / "a.tar", tmp_path / "newer.tar",
                    lambda m: (m["migrations"].append(["core", "0099_from_the_future"]), m.update(anneal_version="9.0.0")))

    with pytest.raises(CommandError) as error:
        call_command("restore", str(newer), interactive=False)

    message = str(error.value)
    assert "newer schema (Anneal 9.0.0)" in message
    assert "1 migration this installation" in message
    assert "core.0099_from_the_future" in message
    assert "--force" in message
    assert snapshot() == populated


def test_a_backup_of_an_older_schema_is_refused_then_restored_with_force(populated: dict, tmp_path: Path, make_user: Callable) -> None:
    call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    older = rewrite(tmp_path / "a.tar", tmp_path / "older.tar",
                    lambda m: m.update(migrations=[x for x in m["migrations"] if x != ["core", "0001_initial"]]))

    with pytest.raises(CommandError) as error:
        call_command("restore", str(older), interactive=False)
    assert "older schema" in str(error.value)
    assert "it lacks 1 migration of this installation" in str(error.value)
    assert "core.0001_initial" in str(error.value)
    assert "anneal migrate" in str(error.value)

    make_user("added-after-backup@example.com")
    err = io.StringIO()
    call_command("restore", str(older), interactive=False, force=True, stdout=io.StringIO(), stderr=err)
    assert snapshot() == populated
    assert "--force" in err.getvalue()


def test_restoring_with_another_secret_key_warns_that_encrypted_data_is_unreadable(populated: dict, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    err = io.StringIO()
    with override_settings(SECRET_KEY="a-different-secret-key-for-this-installation"):
        call_command("restore", str(tmp_path / "a.tar"), interactive=False, stdout=io.StringIO(), stderr=err)
    assert "different ANNEAL_SECRET_KEY" in err.getvalue()
    assert snapshot() == populated


def test_a_backup_of_the_other_kind_of_database_is_refused(populated: dict, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    foreign = rewrite(tmp_path / "a.tar", tmp_path / "foreign.tar", lambda m: m.update(database=other))
    with pytest.raises(CommandError, match=f"holds a {other} database and this installation uses {connection.vendor}"):
        call_command("restore", str(foreign), interactive=False)


def test_a_damaged_database_copy_changes_nothing(populated: dict, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    damaged = rewrite(tmp_path / "a.tar", tmp_path / "damaged.tar", dump_bytes=b"PGDMP" + b"\x00garbage" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(damaged), interactive=False)
    assert snapshot() == populated


@pytest.mark.parametrize("content", [b"", b"not a tar archive at all", None], ids=["empty", "text", "tar-without-manifest"])
def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_message(populated: dict, tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "suspect.tar"
    if content is None:
        with tarfile.open(path, "w") as archive:
            info = tarfile.TarInfo("../../etc/passwd")
            info.size = 4
            archive.addfile(info, io.BytesIO(b"root"))
    else:
        path.write_bytes(content)
    with pytest.raises(CommandError, match="not an Anneal backup"):
        call_command("restore", str(path), interactive=False)
    assert snapshot() == populated


def test_a_manifest_with_malformed_migrations_is_reported_as_damaged(populated: dict, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    bad = rewrite(tmp_path / "a.tar", tmp_path / "bad.tar", lambda m: m.update(migrations="core.0001_initial"))
    with pytest.raises(CommandError, match="manifest of .* is damaged"):
        call_command("restore", str(bad), interactive=False)


def test_without_the_postgresql_client_tools_backup_says_what_to_install(populated: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite backups need no external tool")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match="`pg_dump` is not installed.*postgresql-client"):
        call_command("backup", str(tmp_path / "a.tar"), stdout=io.StringIO())
    assert list(tmp_path.glob("a.tar*")) == []
