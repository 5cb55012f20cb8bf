"""Record the migration state of a release: ``deploy/releases/<version>.json``.

Run it from the repository when cutting a release, with the core, the enterprise package and
both example plugins installed (``./dev test`` installs them):

    .venv/bin/python deploy/releases/record.py            # the version in core/__init__.py

It writes the leaf migration of every app. The upgrade test
(tests/deploy/test_upgrade_from_previous_releases.py) migrates a database back to each recorded
release, fills it with the release's ``seed`` rows and migrates it forward to the code at hand,
checking nothing was lost. Keep the ``seed`` of an existing file when re-recording it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def leaves() -> dict[str, list[str]]:
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    result: dict[str, list[str]] = {}
    for app, name in sorted(graph.leaf_nodes()):
        result.setdefault(app, []).append(name)
    return result


def main() -> int:
    sys.path.insert(0, str(HERE.parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    import django

    django.setup()
    from core import __version__

    version = sys.argv[1] if len(sys.argv) > 1 else __version__
    target = HERE / f"{version}.json"
    record = json.loads(target.read_text()) if target.exists() else {}
    record.update({"version": version, "migrations": leaves()})
    record.setdefault("seed", [])
    target.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"Recorded {sum(len(v) for v in record['migrations'].values())} leaf migrations in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
