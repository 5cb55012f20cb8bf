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


def fresh_database(extra_apps: list[str] | None = None) -> None:
    import psycopg

    server = os.environ.get("ANNEAL_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = os.environ.get("ANNEAL_BENCH_DB", "anneal_audit_bench")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ.pop("REDIS_URL", None)  # tasks run in-process: the benchmark measures our code, not Redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    os.environ.setdefault("ANNEAL_LOG_LEVEL", "WARNING")
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
    """A real plugin granting ``audit_log`` (stands in for an installed license key)."""
    from core.plugins import hookimpl
    from core.plugins.manager import register_plugin

    class Licensed:
        @hookimpl
        def anneal_feature_enabled(self, name: str, organization: Any) -> bool | None:
            return True if name == "audit_log" else None

    plugin = Licensed()
    register_plugin(plugin, "bench-license")
    return plugin


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


def alternate(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run the variants alternately ``rounds`` times; the median of each (lower noise than one long run)."""
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            results[name].append(run())
    return {name: statistics.median(values) for name, values in results.items()}


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started
