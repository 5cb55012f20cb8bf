"""The backup file: a tar archive of ``manifest.json`` and the database copy."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from core import __version__
from core.backups import databases
from core.backups.manifest import Manifest, SchemaMismatch, compare_schema, now, secret_key_fingerprint

MANIFEST_NAME = "manifest.json"


class BackupError(Exception):
    """A backup could not be made or restored; the message says why and what to do."""


def _plugin_versions() -> dict[str, str]:
    from core.plugins.manager import summary

    return {row["name"]: row["version"] or "" for row in summary() if not row["builtin"]}


def create_backup(target: Path, alias: str = "default") -> Manifest:
    """Write a backup of the database to ``target`` and return its manifest."""
    target = Path(target)
    try:
        database = databases.vendor(alias)
        applied = sorted(MigrationRecorder(connections[alias]).applied_migrations())
        manifest = Manifest(
            anneal_version=__version__,
            database=database,
            migrations=applied,
            plugins=_plugin_versions(),
            secret_key_fingerprint=secret_key_fingerprint(settings.SECRET_KEY),
            created_at=now(),
        )
        with tempfile.TemporaryDirectory(prefix="anneal-backup-") as scratch:
            dump = Path(scratch) / databases.DUMP_NAMES[database]
            databases.dump(dump, alias)
            partial = target.with_name(target.name + ".partial")
            try:
                with tarfile.open(partial, "w") as archive:
                    body = json.dumps(manifest.to_json(), indent=2).encode()
                    info = tarfile.TarInfo(MANIFEST_NAME)
                    info.size = len(body)
                    archive.addfile(info, io.BytesIO(body))
                    archive.add(dump, arcname=dump.name)
                partial.replace(target)  # a backup file is complete or absent, never half written
            finally:
                partial.unlink(missing_ok=True)
    except databases.DatabaseCopyError as exc:
        raise BackupError(str(exc)) from exc
    return manifest


def _open(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source} is not an Anneal backup (not a readable tar archive): {exc}") from exc


def read_manifest(source: Path) -> Manifest:
    with _open(Path(source)) as archive:
        return _manifest(archive, Path(source))


def _manifest(archive: tarfile.TarFile, source: Path) -> Manifest:
    try:
        member = archive.getmember(MANIFEST_NAME)
        handle = archive.extractfile(member)
        if handle is None:
            raise KeyError(MANIFEST_NAME)
        return Manifest.from_json(json.loads(handle.read()))
    except KeyError as exc:
        raise BackupError(f"{source} has no {MANIFEST_NAME}: it is not an Anneal backup.") from exc
    except ValueError as exc:
        raise BackupError(f"The manifest of {source} is damaged: {exc}") from exc


def check_schema(manifest: Manifest, alias: str = "default") -> SchemaMismatch:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True, load=True)
    code = set(loader.graph.nodes)
    replacements = {key: list(migration.replaces) for key, migration in loader.replacements.items()}
    return compare_schema(manifest.migrations, code, replacements)


def restore_backup(source: Path, force: bool = False, alias: str = "default") -> tuple[Manifest, list[str]]:
    """Replace the database with the backup at ``source``; return its manifest and warnings.

    Refuses, unless ``force``, a backup whose migrations differ from the installed code's.
    """
    source = Path(source)
    warnings: list[str] = []
    with _open(source) as archive:
        manifest = _manifest(archive, source)
        database = databases.vendor(alias)
        if manifest.database != database:
            raise BackupError(
                f"This backup holds a {manifest.database} database and this installation uses {database}. "
                "A backup restores into the same kind of database only; to move between them, use "
                "`anneal dumpdata` on the old installation and `anneal loaddata` on the new one."
            )
        mismatch = check_schema(manifest, alias)
        if not mismatch.matches:
            if not force:
                raise BackupError(mismatch.explain(manifest, __version__))
            warnings.append("Restoring despite a schema mismatch (--force).")
        if manifest.secret_key_fingerprint and manifest.secret_key_fingerprint != secret_key_fingerprint(settings.SECRET_KEY):
            warnings.append(
                "This backup was made with a different ANNEAL_SECRET_KEY: sign-ins end and anything encrypted "
                "with the old key cannot be read. Set the old key to keep them."
            )
        name = databases.DUMP_NAMES[manifest.database]
        try:
            member = archive.getmember(name)
        except KeyError as exc:
            raise BackupError(f"{source} has no {name}: the backup is incomplete.") from exc
        handle = archive.extractfile(member)
        if handle is None:
            raise BackupError(f"{name} in {source} is not a regular file.")
        with tempfile.TemporaryDirectory(prefix="anneal-restore-") as scratch:
            dump = Path(scratch) / name
            with open(dump, "wb") as out:
                while chunk := handle.read(1 << 20):
                    out.write(chunk)
            try:
                databases.load(dump, alias)
            except databases.DatabaseCopyError as exc:
                raise BackupError(str(exc)) from exc
    return manifest, warnings
