"""The core's health checks: database, migrations, cache, broker and workers."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from core.plugins import HealthCheck, HealthCheckResult, hookimpl


def check_database() -> HealthCheckResult:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return HealthCheckResult(True, connections[DEFAULT_DB_ALIAS].vendor)


def check_migrations() -> HealthCheckResult:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return HealthCheckResult(False, f"{len(pending)} unapplied migration(s): {names}", "Run `anneal migrate`.")
    return HealthCheckResult(True, "all applied")


def check_cache() -> HealthCheckResult:
    cache.set("anneal:health", "ok", 10)
    if cache.get("anneal:health") != "ok":
        return HealthCheckResult(False, "the cache did not return what was written", "Check REDIS_URL.")
    return HealthCheckResult(True, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])


def check_broker() -> HealthCheckResult:
    if not settings.REDIS_URL:
        return HealthCheckResult(True, "embedded: tasks run in-process")
    from core.jobs import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return HealthCheckResult(True, "redis")


def check_workers() -> HealthCheckResult:
    if not settings.REDIS_URL:
        return HealthCheckResult(True, "embedded: tasks run in-process")
    from core.jobs import app

    replies = app.control.ping(timeout=1.0) or []
    if not replies:
        return HealthCheckResult(False, "no Celery worker answered", "Start one with `anneal worker`.")
    return HealthCheckResult(True, f"{len(replies)} worker(s)")


@hookimpl
def anneal_health_checks() -> list[HealthCheck]:
    return [
        HealthCheck("database", "The database answers queries.", check_database),
        HealthCheck("migrations", "Every migration is applied.", check_migrations),
        HealthCheck("cache", "The cache stores and returns values.", check_cache),
        HealthCheck("broker", "The task broker accepts connections.", check_broker),
        HealthCheck("workers", "At least one background worker is running.", check_workers, critical=False),
    ]
