"""Copying the database out of and back into PostgreSQL and SQLite."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class DatabaseCopyError(Exception):
    pass


def vendor(alias: str = "default") -> str:
    name = connections[alias].vendor
    if name not in DUMP_NAMES:
        raise DatabaseCopyError(f"Backups support PostgreSQL and SQLite; this database is {name}.")
    return name


def dump(target: Path, alias: str = "default") -> None:
    if vendor(alias) == "postgresql":
        _pg_dump(target, connections[alias].settings_dict)
    else:
        _sqlite_copy(target, alias)


def load(source: Path, alias: str = "default") -> None:
    """Replace the whole database with ``source``, in one transaction (all or nothing)."""
    connections.close_all()
    if vendor(alias) == "postgresql":
        _pg_restore(source, connections[alias].settings_dict)
    else:
        _sqlite_restore(source, alias)
    connections.close_all()


# --- PostgreSQL: pg_dump custom format, replayed by psql in a single transaction ---------


def _pg_environment(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    values = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DatabaseCopyError(
            f"`{name}` is not installed. Install the PostgreSQL client tools of your server's major version "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


def _pg_dump(target: Path, settings: dict[str, Any]) -> None:
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        env=_pg_environment(settings), capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise DatabaseCopyError(f"pg_dump failed: {result.stderr.strip()}")


def _pg_restore(source: Path, settings: dict[str, Any]) -> None:
    env = _pg_environment(settings)
    # pg_restore first turns the archive into SQL (a damaged archive stops here, with the
    # database untouched); psql then empties the schema and replays the SQL in one
    # transaction, so a failure part-way leaves the database as it was.
    script = source.with_suffix(".sql")
    produced = subprocess.run(
        [_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(source)],
        env=env, capture_output=True, text=True,
    )
    if produced.returncode != 0:
        raise DatabaseCopyError(f"pg_restore could not read the backup; nothing was changed: {produced.stderr.strip()}")
    replayed = subprocess.run(
        [_tool("psql"), "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1",
         "--command=DROP SCHEMA public CASCADE", "--command=CREATE SCHEMA public", f"--file={script}"],
        env=env, capture_output=True, text=True,
    )
    script.unlink(missing_ok=True)
    if replayed.returncode != 0:
        raise DatabaseCopyError(f"Restoring into PostgreSQL failed; nothing was changed: {replayed.stderr.strip()}")


# --- SQLite: the online backup API, both ways -----------------------------------------------


def _raw_sqlite(alias: str) -> sqlite3.Connection:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.connection


def _sqlite_copy(target: Path, alias: str) -> None:
    destination = sqlite3.connect(target)
    try:
        _raw_sqlite(alias).backup(destination)
    finally:
        destination.close()


def _sqlite_restore(source: Path, alias: str) -> None:
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if origin.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise DatabaseCopyError("The SQLite database in the backup is damaged (integrity check failed).")
        origin.backup(_raw_sqlite(alias))
    except sqlite3.DatabaseError as exc:
        raise DatabaseCopyError(f"The backup does not hold a readable SQLite database: {exc}") from exc
    finally:
        origin.close()
