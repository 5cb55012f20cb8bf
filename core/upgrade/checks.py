"""The findings of ``anneal upgrade check``: each check returns ``UpgradeFinding`` values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from core.plugins.types import UpgradeFinding
from core.upgrade.target import TargetFacts
from core.wording import counted


@dataclass(frozen=True)
class Options:
    installed_version: str
    backup_dir: Path
    backup_max_age: timedelta
    skip_backup_check: bool
    large_table_rows: int


def versions(facts: TargetFacts, options: Options) -> list[UpgradeFinding]:
    installed, new = Version(options.installed_version), Version(facts.version)
    if new < installed:
        return [UpgradeFinding("blocker", "version", (
            f"Anneal {facts.version} is older than the installed {options.installed_version}: that is a downgrade. "
            "Go back by restoring the backup taken before the upgrade, with the old version (docs/deploy/upgrading.md)."
        ))]
    if new == installed:
        return [UpgradeFinding("warning", "version", f"Anneal {facts.version} is already installed.")]
    return [UpgradeFinding("ok", "version", f"Upgrade from Anneal {options.installed_version} to {facts.version}.")]


def required_stops(facts: TargetFacts, options: Options) -> list[UpgradeFinding]:
    installed, new = Version(options.installed_version), Version(facts.version)
    findings = []
    for stop in sorted(facts.required_stops, key=lambda s: Version(s["version"])):
        if installed < Version(stop["version"]) < new:
            findings.append(UpgradeFinding("blocker", "required stops", (
                f"Anneal {stop['version']} must not be skipped: {stop['reason']} Upgrade to {stop['version']} "
                f"first (and run its migrations), then to {facts.version}."
            ), {"version": stop["version"]}))
    if not findings:
        findings.append(UpgradeFinding("ok", "required stops",
                                       f"No release between {options.installed_version} and {facts.version} must be installed first."))
    return findings


def _allowed_incompatible() -> set[str]:
    return {x.strip() for x in os.environ.get("ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE", "").split(",") if x.strip()}


def plugins(facts: TargetFacts, installed_plugins: dict[str, str | None]) -> list[UpgradeFinding]:
    """``installed_plugins``: each non-built-in plugin installed now, with its version."""
    findings = []
    new = Version(facts.version)
    allowed = _allowed_incompatible()
    seen = set()
    for plugin in facts.plugins:
        name, version, requires = plugin["name"], plugin.get("version") or "", plugin.get("requires")
        seen.add(name)
        label = f"{plugin.get('distribution') or name} {version}".strip()
        if plugin.get("error"):
            findings.append(UpgradeFinding("blocker", "plugins", (
                f"Plugin {name} ({label}) fails to load with Anneal {facts.version}: {plugin['error']}. Install a "
                "release of the plugin made for it, or uninstall the plugin first."), {"plugin": name}))
            continue
        if not requires:
            findings.append(UpgradeFinding("ok", "plugins", f"Plugin {name} ({label}) declares no core range."))
            continue
        try:
            fits = SpecifierSet(requires).contains(new, prereleases=True)
        except InvalidSpecifier:
            fits = False
        if fits:
            findings.append(UpgradeFinding("ok", "plugins", f"Plugin {name} ({label}) supports Anneal {requires}.",
                                           {"plugin": name, "requires": requires}))
        elif name in allowed or "*" in allowed:
            findings.append(UpgradeFinding("warning", "plugins", (
                f"Plugin {name} ({label}) supports Anneal {requires}, not {facts.version}; it will start anyway "
                "because ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE names it."), {"plugin": name, "requires": requires}))
        else:
            findings.append(UpgradeFinding("blocker", "plugins", (
                f"Plugin {name} ({label}) supports Anneal {requires}, not {facts.version}: it would be refused at "
                f"start-up. Put a release of {plugin.get('distribution') or name} that supports {facts.version} in "
                "the wheelhouse, uninstall the plugin, or set ANNEAL_PLUGINS_ALLOW_INCOMPATIBLE to start it anyway."),
                {"plugin": name, "requires": requires, "version": version}))
    for name in sorted(set(installed_plugins) - seen):
        findings.append(UpgradeFinding("warning", "plugins", (
            f"Plugin {name} {installed_plugins[name] or ''} is installed now but not in the new version: its "
            "features go away; its tables and data stay.").replace("  ", " "), {"plugin": name}))
    return findings


def _rows(count: int | None) -> str:
    return "no table yet" if count is None else f"{count:,} rows"


def migrations(facts: TargetFacts, options: Options) -> list[UpgradeFinding]:
    report: dict[str, Any] = facts.migrations
    if report.get("error"):
        return [UpgradeFinding("blocker", "migrations", report["error"])]
    findings = []
    if report["unknown_applied"]:
        shown = ", ".join(report["unknown_applied"][:5])
        findings.append(UpgradeFinding("blocker", "migrations", (
            f"The database has {counted(len(report['unknown_applied']), 'applied migration')} that Anneal {facts.version} does "
            f"not have ({shown}): it was migrated by a newer version or by a plugin the new version lacks. Install "
            "that version or plugin instead."), {"migrations": report["unknown_applied"]}))
    plan = report["plan"]
    names = [f"{step['app']}.{step['name']}" for step in plan]
    if not plan:
        findings.append(UpgradeFinding("ok", "migrations", "No migration will run."))
        return findings
    findings.append(UpgradeFinding("ok", "migrations", f"{counted(len(plan), 'migration')} will run: {', '.join(names)}.",
                                   {"plan": names}))
    for step in plan:
        where = f"{step['app']}.{step['name']}"
        for op in step["operations"]:
            details = {"migration": where, **op}
            table = f" on {op['table']} ({_rows(op['rows'])})" if op["table"] else ""
            if not op["reversible"]:
                findings.append(UpgradeFinding("warning", "migrations", (
                    f"{where} is irreversible: {op['description']}{table} cannot be unapplied. The way back is the "
                    "backup taken before the upgrade."), details))
            if op["destroys_data"] and op["rows"]:
                findings.append(UpgradeFinding("warning", "migrations", (
                    f"{where} deletes data: {op['description']}{table}. Export what you need to keep first."), details))
            heavy = op["rewrites"] or op["scans"] or op["data"]
            if heavy and (op["rows"] or 0) >= options.large_table_rows:
                what = ("rewrites the table" if op["rewrites"] else
                        "reads every row" if op["scans"] else "changes data row by row")
                if op.get("type_change"):
                    what += " (the column changes type)"
                findings.append(UpgradeFinding("warning", "migrations", (
                    f"{where} may take long: {op['description']} {what}{table}; the table is locked meanwhile. "
                    "Plan a maintenance window."), details))
    return findings


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def backups(facts: TargetFacts, options: Options, *, vendor: str,
            applied: list[tuple[str, str]], now: datetime | None = None) -> list[UpgradeFinding]:
    from core.backups import BackupError, read_manifest

    if not facts.migrations.get("plan"):
        return [UpgradeFinding("ok", "backup", "No migration will run, so the database will not change.")]
    now = now or datetime.now(timezone.utc)
    candidates = []
    for path in sorted(options.backup_dir.glob("*.tar")) if options.backup_dir.is_dir() else []:
        try:
            manifest = read_manifest(path)
        except BackupError:
            continue
        made = _parse_time(manifest.created_at)
        if made and manifest.database == vendor and manifest.migrations == sorted(applied):
            candidates.append((made, path))
    fresh = [(made, path) for made, path in candidates if now - made <= options.backup_max_age]
    if fresh:
        made, path = max(fresh)
        return [UpgradeFinding("ok", "backup", f"Backup {path} of this database was made {made:%Y-%m-%d %H:%M} UTC.",
                               {"path": str(path)})]
    hours = int(options.backup_max_age.total_seconds() // 3600)
    older = f" The newest backup of this schema, {max(candidates)[1]}, is older than {hours} hours." if candidates else ""
    message = (f"No backup of this database from the last {hours} hours in {options.backup_dir}.{older} Migrations "
               "will change the database and the way back is a backup: run `anneal backup` first.")
    if options.skip_backup_check:
        return [UpgradeFinding("warning", "backup", message + " (--skip-backup-check: you back up another way.)")]
    return [UpgradeFinding("blocker", "backup", message + " If you back up another way (database snapshots), "
                                                          "pass --skip-backup-check.")]
