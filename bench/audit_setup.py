"""Shared set-up of the audit benchmarks: a fresh PostgreSQL database and Django.

``ANNEAL_BENCH_POSTGRES`` (default ``postgres://postgres@127.0.0.1:5432``) is a server where
the benchmark may create and drop the database ``ANNEAL_BENCH_DB`` (default ``anneal_audit_bench``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fresh_database(extra_apps: list[str] | None = None, only_enterprise: bool = True, *, keep: bool = False) -> None:
    """Create the database and set Django up; ``only_enterprise``: the example plugins are disabled.

    ``keep``: reuse the database when it exists (a benchmark that seeds a million rows once).
    """
    import psycopg
    from importlib import metadata

    server = os.environ.get("ANNEAL_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = os.environ.get("ANNEAL_BENCH_DB", "anneal_audit_bench")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (keep and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ.pop("REDIS_URL", None)  # tasks run in-process: the benchmark measures our code, not Redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    os.environ.setdefault("ANNEAL_LOG_LEVEL", "WARNING")
    if only_enterprise:
        others = [ep.name for ep in metadata.entry_points(group="anneal") if ep.name != "enterprise"]
        os.environ["ANNEAL_PLUGINS_DISABLED"] = ",".join(others)
    import django
    from django.conf import settings

    if extra_apps:
        from core import settings as core_settings

        core_settings.INSTALLED_APPS += extra_apps
    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def license_audit_log() -> Any:
    """Install a real license key granting every enterprise feature (signed by a throwaway test key)."""
    from django.conf import settings

    from anneal_enterprise.licensing import services, status
    from anneal_enterprise.licensing.testing import TestSigner

    signer = TestSigner()
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
    record = services.install(signer.issue(), source="cli")
    assert status.grants("audit_log"), "the benchmark's license does not grant audit_log"
    return record


_audit_hooks_name: list[str] = []


def audit_hooks_registered(registered: bool) -> None:
    """Attach or detach the audit log's hook module: detached is Anneal without the audit log."""
    import anneal_enterprise.audit.hooks as audit_hooks
    from core.plugins import manager

    pm = manager.plugin_manager
    if registered and not pm.is_registered(audit_hooks):
        pm.register(audit_hooks, name=_audit_hooks_name[0])
    elif not registered and pm.is_registered(audit_hooks):
        _audit_hooks_name[:] = [pm.get_name(audit_hooks)]
        pm.unregister(audit_hooks)
    manager._state["generation"] += 1


def alternate_samples(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run the variants alternately ``rounds`` times; every round's result of each."""
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            results[name].append(run())
    return results


def alternate(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run the variants alternately ``rounds`` times; the median of each (lower noise than one long run)."""
    return {name: statistics.median(values) for name, values in alternate_samples(variants, rounds).items()}


def ratio_summary(top: list[float], bottom: list[float]) -> str:
    """Median and range of the per-round ratios ``top[i] / bottom[i]``."""
    ratios = sorted(a / b for a, b in zip(top, bottom))
    return f"{statistics.median(ratios):.3f} (range {ratios[0]:.3f} to {ratios[-1]:.3f})"


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def backend_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of the PostgreSQL backend ``pid`` (same machine, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_timed(function: Callable[[], Any], backend_pid: int) -> float:
    """CPU seconds that ``function`` cost this process and its PostgreSQL backend together.

    Other processes competing for the cores barely change it, unlike wall-clock time; it leaves
    out waiting (the commit's flush, lock waits), which ``timed`` includes.
    """
    started = time.process_time() + backend_cpu_seconds(backend_pid)
    function()
    return time.process_time() + backend_cpu_seconds(backend_pid) - started
