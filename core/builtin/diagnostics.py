"""The core's system report sections: versions, plugins, configuration, environment, health,
counts, database table sizes and recent log lines.

Redaction is by allowlist: only settings and environment variables named here show their
values; every other one is listed by name with the value ``[redacted]``.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from core import __version__
from core.plugins import DiagnosticCollector, hookimpl
from core.plugins.manager import summary

REDACTED = "[redacted]"
RECENT_LOG_LINES = 200

SAFE_SETTINGS = (
    "DEBUG", "PRODUCTION", "ALLOWED_HOSTS", "BASE_URL", "TIME_ZONE", "LANGUAGE_CODE",
    "CELERY_TASK_ALWAYS_EAGER", "ANNEAL_EMBEDDED_SCHEDULER", "EMAIL_BACKEND", "LOG_FORMAT",
    "SESSION_COOKIE_AGE", "ANNEAL_INVITATION_DAYS", "INSTALLED_APPS", "MIDDLEWARE",
    "AUTHENTICATION_BACKENDS", "CELERY_TASK_DEFAULT_QUEUE", "USE_TZ", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "DEFAULT_AUTO_FIELD", "AUTH_USER_MODEL", "ROOT_URLCONF", "STATIC_URL",
)
SAFE_ENVIRONMENT = (
    "ANNEAL_DEBUG", "ANNEAL_PRODUCTION", "ANNEAL_BASE_URL", "ANNEAL_ALLOWED_HOSTS", "ANNEAL_LOG_FORMAT",
    "ANNEAL_LOG_LEVEL", "ANNEAL_CELERY_QUEUE", "ANNEAL_EMBEDDED_SCHEDULER", "ANNEAL_SESSION_AGE",
    "ANNEAL_INVITATION_DAYS", "ANNEAL_PLUGINS_DISABLED", "ANNEAL_PLUGINS_STRICT", "ANNEAL_DB_CONN_MAX_AGE",
    "DJANGO_SETTINGS_MODULE", "TZ", "LANG",
)
URL_ENVIRONMENT = ("DATABASE_URL", "REDIS_URL")
ENVIRONMENT_PREFIXES = ("ANNEAL_", "DJANGO_", "CELERY_", "DATABASE_", "REDIS_")


def versions() -> dict[str, Any]:
    return {
        "anneal": __version__,
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "platform": platform.platform(),
        "packages": sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()}),
    }


def url_without_password(url: str) -> str:
    """``scheme://user:secret@host/db`` becomes ``scheme://user:[redacted]@host/db``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:{REDACTED}@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def configuration() -> dict[str, Any]:
    """Every setting by name; values only for the allowlisted ones, the rest ``[redacted]``."""
    config: dict[str, Any] = {}
    for name in sorted(n for n in dir(settings) if n.isupper()):
        config[name] = getattr(settings, name, None) if name in SAFE_SETTINGS else REDACTED
    database = settings.DATABASES["default"]
    config["database"] = {
        "engine": database["ENGINE"], "host": database.get("HOST") or "", "port": database.get("PORT") or "",
        "name": str(database.get("NAME") or ""),
    }
    config["cache_backend"] = settings.CACHES["default"]["BACKEND"]
    return config


def environment() -> dict[str, str]:
    """Environment variables that configure Anneal, by name; values only when known to be safe."""
    shown: dict[str, str] = {}
    for name, value in sorted(os.environ.items()):
        if name in SAFE_ENVIRONMENT:
            shown[name] = value
        elif name in URL_ENVIRONMENT:
            shown[name] = url_without_password(value)
        elif name.startswith(ENVIRONMENT_PREFIXES):
            shown[name] = REDACTED
    return shown


def health() -> list[dict[str, Any]]:
    from core.health import run_checks

    return [
        {"id": o.id, "plugin": o.plugin, "critical": o.critical, "ok": o.ok, "message": o.message, "hint": o.hint}
        for o in run_checks()
    ]


def counts() -> dict[str, int]:
    from core.models import ApiToken, Invitation, Membership, Organization, Project, User

    return {
        "users": User.objects.count(),
        "active_humans": User.objects.humans().count(),
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
        "projects": Project.objects.count(),
        "api_tokens": ApiToken.objects.count(),
    }


def table_sizes() -> list[dict[str, Any]]:
    """Rows and bytes of each table, largest first. Sizes come from the database's own statistics."""
    connection = connections[DEFAULT_DB_ALIAS]
    tables = connection.introspection.table_names()
    sizes: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables"
            )
            sizes = [{"table": t, "rows_estimate": int(r), "bytes": int(b)} for t, r, b in cursor.fetchall()]
        else:
            quote = connection.ops.quote_name
            page_bytes: dict[str, int] = {}
            try:
                cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
                page_bytes = {name: int(total) for name, total in cursor.fetchall()}
            except Exception:  # dbstat is an optional SQLite module
                page_bytes = {}
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from introspection)
                sizes.append({"table": table, "rows_estimate": int(cursor.fetchone()[0]),
                              "bytes": page_bytes.get(table)})
    return sorted(sizes, key=lambda s: (-(s["bytes"] or 0), -s["rows_estimate"], s["table"]))


def recent_logs() -> str:
    from core.logbuffer import recent_lines

    lines = recent_lines(RECENT_LOG_LINES)
    return "\n".join(lines) + ("\n" if lines else "")


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    return [
        DiagnosticCollector("versions", "Versions of Anneal, Python, Django and every installed package.", versions),
        DiagnosticCollector("plugins", "Installed plugins with their status and load errors.", summary),
        DiagnosticCollector("configuration", "Every setting by name; values only for settings known to hold no "
                                             "secrets, the rest shown as [redacted].", configuration),
        DiagnosticCollector("environment", "Environment variables that configure Anneal, by name; values only "
                                           "for known-safe ones, database and Redis URLs without passwords.",
                            environment),
        DiagnosticCollector("health", "The result of every health check, with hints.", health),
        DiagnosticCollector("counts", "How many users, organizations, projects, invitations and tokens exist "
                                      "(never their content).", counts),
        DiagnosticCollector("table_sizes", "Rows and bytes of each database table (never their content).",
                            table_sizes),
        DiagnosticCollector("recent_logs", f"The last {RECENT_LOG_LINES} log lines of the process that builds "
                                           "the report.", recent_logs, default=False),
    ]
