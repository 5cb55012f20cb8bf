"""Backups of everything Anneal keeps in its database, and restoring them.

A backup is one ``.tar`` file holding ``manifest.json`` (Anneal and plugin versions, the
applied migrations, a fingerprint of the secret key) and the database itself: a ``pg_dump``
custom-format archive on PostgreSQL, a copy made with SQLite's online backup API otherwise.
``anneal backup`` and ``anneal restore`` are the commands; see docs/deploy/upgrading.md.
"""

from core.backups.archive import BackupError, create_backup, read_manifest, restore_backup
from core.backups.manifest import Manifest, SchemaMismatch, compare_schema

__all__ = [
    "BackupError",
    "Manifest",
    "SchemaMismatch",
    "compare_schema",
    "create_backup",
    "read_manifest",
    "restore_backup",
]
