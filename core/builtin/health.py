"""The core's health checks: database, migrations, cache, Redis, broker, workers, queues, email and plugins.

Each check says what it found and, when it fails, what to do about it (``hint``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from core.email_delivery import unsent_fate
from core.plugins import HealthCheck, HealthCheckResult, hookimpl
from core.wording import counted

QUEUE_WARNING_LENGTH = 1000


def _failed(exc: Exception, hint: str) -> HealthCheckResult:
    return HealthCheckResult(False, f"{type(exc).__name__}: {exc}".strip()[:500], hint)


def check_database() -> HealthCheckResult:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return _failed(exc, "Check that the database is running and that DATABASE_URL points at it "
                            "(host, port, database name, user and password).")
    return HealthCheckResult(True, connections[DEFAULT_DB_ALIAS].vendor)


def check_migrations() -> HealthCheckResult:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return _failed(exc, "Fix the database connection first, then run `anneal migrate`.")
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return HealthCheckResult(False, f"{counted(len(pending), 'unapplied migration')}: {names}",
                                 "Run `anneal migrate` (after upgrading Anneal or installing a plugin).")
    return HealthCheckResult(True, "all applied")


def check_cache() -> HealthCheckResult:
    try:
        cache.set("anneal:health", "ok", 10)
        value = cache.get("anneal:health")
    except Exception as exc:
        return _failed(exc, "Check that Redis is running and that REDIS_URL points at it.")
    if value != "ok":
        return HealthCheckResult(False, "the cache did not return what was written",
                                 "Check REDIS_URL and that Redis is not out of memory (maxmemory).")
    return HealthCheckResult(True, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])


def _redis_client():  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def check_redis() -> HealthCheckResult:
    if not settings.REDIS_URL:
        return HealthCheckResult(True, "not configured (embedded default)")
    try:
        client = _redis_client()
        client.ping()
        info = client.info("server")
    except Exception as exc:
        return _failed(exc, "Start Redis or fix REDIS_URL (host, port, database number, password).")
    return HealthCheckResult(True, f"redis {info.get('redis_version', '?')}")


def check_broker() -> HealthCheckResult:
    if not settings.REDIS_URL:
        return HealthCheckResult(True, "embedded: tasks run in-process")
    from core.jobs import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return _failed(exc, "Background tasks cannot be queued: check that Redis is running and REDIS_URL.")
    return HealthCheckResult(True, "redis")


def check_workers() -> HealthCheckResult:
    if not settings.REDIS_URL:
        return HealthCheckResult(True, "embedded: tasks run in-process")
    from core.jobs import app

    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception as exc:
        return _failed(exc, "Check that Redis is running, then start a worker with `anneal worker`.")
    if not replies:
        return HealthCheckResult(False, "no Celery worker answered",
                                 "Start one with `anneal worker`; tasks wait in the queue until one runs.")
    return HealthCheckResult(True, counted(len(replies), "worker"))


def queue_lengths() -> dict[str, int]:
    """Tasks waiting in each Celery queue (Redis lists), empty on the embedded default."""
    if not settings.REDIS_URL:
        return {}
    client = _redis_client()  # the broker is REDIS_URL (see settings)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return {queue: int(client.llen(queue))}


def check_queues() -> HealthCheckResult:
    if not settings.REDIS_URL:
        return HealthCheckResult(True, "embedded: no queue")
    try:
        lengths = queue_lengths()
    except Exception as exc:
        return _failed(exc, "Check that Redis is running and REDIS_URL.")
    text = ", ".join(f"{name}: {length} waiting" for name, length in lengths.items())
    backlog = {name: n for name, n in lengths.items() if n >= QUEUE_WARNING_LENGTH}
    if backlog:
        return HealthCheckResult(False, text, "Tasks are piling up: start more workers with `anneal worker` "
                                              "or look for a task that fails and retries in the worker logs.")
    return HealthCheckResult(True, text)


def check_email() -> HealthCheckResult:
    backend = settings.EMAIL_BACKEND
    fate = unsent_fate()
    if fate is None:
        return HealthCheckResult(True, f"Emails are sent with {backend}.")
    text = f"Emails are {fate}, not sent ({backend})."
    if not settings.PRODUCTION:
        return HealthCheckResult(True, text)
    return HealthCheckResult(
        False, f"{text} In production, password reset and invitation links would go to the log, not to people.",
        "Set ANNEAL_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and ANNEAL_EMAIL_HOST "
        "(see docs/configuration.md#email).",
    )


def check_plugins() -> HealthCheckResult:
    from core.plugins import failures
    from core.plugins.manager import records

    plugins = records()
    not_loaded = [p.name for p in plugins if not p.ok and p.status != "disabled"]
    degraded = sorted(failures.degraded(failures.overview([p.name for p in plugins])))
    problems = []
    if not_loaded:
        problems.append(f"not loaded: {', '.join(not_loaded)}")
    if degraded:
        problems.append(f"degraded (a hook raised in the last hour): {', '.join(degraded)}")
    if problems:
        return HealthCheckResult(False, "; ".join(problems),
                                 "`anneal plugins` shows each plugin's error and failing hooks; the logger "
                                 "anneal.plugins has the tracebacks. Fix or upgrade the plugin, or disable it "
                                 "with ANNEAL_PLUGINS_DISABLED.")
    return HealthCheckResult(True, f"{len(plugins)} loaded, none failing")


@hookimpl
def anneal_health_checks() -> list[HealthCheck]:
    return [
        HealthCheck("database", "The database answers queries.", check_database),
        HealthCheck("migrations", "Every migration is applied.", check_migrations),
        HealthCheck("cache", "The cache stores and returns values.", check_cache),
        HealthCheck("redis", "Redis answers (when REDIS_URL is set).", check_redis),
        HealthCheck("broker", "The task broker accepts connections.", check_broker),
        HealthCheck("workers", "At least one background worker is running.", check_workers, critical=False),
        HealthCheck("queues", f"Fewer than {QUEUE_WARNING_LENGTH} tasks wait in each queue.", check_queues,
                    critical=False),
        HealthCheck("email", "Emails reach people (in production, not only the log).", check_email, critical=False),
        HealthCheck("plugins", "Every plugin loaded and none of its hooks raised in the last hour.", check_plugins,
                    critical=False),
    ]
