"""What a backup says about itself, and whether its schema fits the code installed now."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from core.wording import counted

FORMAT = 1
Migration = tuple[str, str]


@dataclass(frozen=True)
class Manifest:
    anneal_version: str
    database: str  # "postgresql" or "sqlite"
    migrations: list[Migration]  # applied in the database when it was backed up, sorted
    plugins: dict[str, str] = field(default_factory=dict)  # plugin name -> version
    secret_key_fingerprint: str = ""
    created_at: str = ""
    format: int = FORMAT

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["migrations"] = [list(m) for m in self.migrations]
        return data

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not an Anneal backup manifest of format {FORMAT}")
        migrations = data.get("migrations")
        if not isinstance(migrations, list) or not all(
            isinstance(m, list) and len(m) == 2 and all(isinstance(part, str) for part in m) for m in migrations
        ):
            raise ValueError("the manifest's migrations are not a list of [app, name] pairs")
        if data.get("database") not in {"postgresql", "sqlite"}:
            raise ValueError("the manifest names no known database")
        return cls(
            anneal_version=str(data.get("anneal_version", "")),
            database=data["database"],
            migrations=sorted((app, name) for app, name in migrations),
            plugins={str(k): str(v) for k, v in dict(data.get("plugins") or {}).items()},
            secret_key_fingerprint=str(data.get("secret_key_fingerprint", "")),
            created_at=str(data.get("created_at", "")),
        )


def secret_key_fingerprint(secret_key: str) -> str:
    """A value that tells whether two installations share a secret key, without revealing it."""
    return hmac.new(secret_key.encode(), b"anneal-backup-fingerprint", hashlib.sha256).hexdigest()[:16]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SchemaMismatch:
    """How a backup's migrations differ from the migrations of the code installed now."""

    missing_from_backup: list[Migration]  # the code has them, the backup does not: backup is older
    unknown_to_code: list[Migration]  # the backup has them, the code does not: backup is newer

    @property
    def matches(self) -> bool:
        return not self.missing_from_backup and not self.unknown_to_code

    def explain(self, manifest: Manifest, installed_version: str) -> str:
        """What is wrong and what to do, for a person."""
        lines = []
        if self.unknown_to_code:
            lines.append(
                f"This backup was made by a newer schema (Anneal {manifest.anneal_version}): it has "
                f"{counted(len(self.unknown_to_code), 'migration')} this installation (Anneal {installed_version}) does "
                f"not know, for example {_names(self.unknown_to_code)}. Install the Anneal version and plugins that "
                "made the backup and restore there."
            )
        if self.missing_from_backup:
            lines.append(
                f"This backup was made by an older schema (Anneal {manifest.anneal_version}): it lacks "
                f"{counted(len(self.missing_from_backup), 'migration')} of this installation (Anneal {installed_version}), "
                f"for example {_names(self.missing_from_backup)}. Restore it with the version that made "
                "it, or pass --force and run `anneal migrate` right after the restore to bring it forward."
            )
        lines.append("Pass --force to restore anyway.")
        return "\n".join(lines)


def _names(migrations: list[Migration], limit: int = 3) -> str:
    shown = ", ".join(f"{app}.{name}" for app, name in migrations[:limit])
    return shown + (" ..." if len(migrations) > limit else "")


def compare_schema(
    backup: list[Migration], code: set[Migration], replacements: dict[Migration, list[Migration]] | None = None
) -> SchemaMismatch:
    """Compare a backup's applied migrations with the migration graph of the installed code.

    ``replacements`` maps each squashed migration of the code to the migrations it stands in
    for: a backup may list those instead of the squash.
    """
    replacements = replacements or {}
    applied = set(backup)
    replaced = {m for group in replacements.values() for m in group}
    unknown = sorted(applied - code - replaced)
    missing = sorted(
        m for m in code - applied
        if not (m in replacements and all(r in applied for r in replacements[m]))
    )
    return SchemaMismatch(missing_from_backup=missing, unknown_to_code=unknown)
