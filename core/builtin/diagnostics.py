"""The core's system report sections: versions, plugins, configuration, counts."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import django
from django.conf import settings

from core import __version__
from core.plugins import DiagnosticCollector, hookimpl
from core.plugins.manager import summary

SAFE_SETTINGS = (
    "DEBUG", "PRODUCTION", "ALLOWED_HOSTS", "BASE_URL", "TIME_ZONE", "LANGUAGE_CODE",
    "CELERY_TASK_ALWAYS_EAGER", "ANNEAL_EMBEDDED_SCHEDULER", "EMAIL_BACKEND", "LOG_FORMAT",
    "SESSION_COOKIE_AGE", "ANNEAL_INVITATION_DAYS", "INSTALLED_APPS", "MIDDLEWARE",
    "AUTHENTICATION_BACKENDS",
)


def versions() -> dict:
    return {
        "anneal": __version__,
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "platform": platform.platform(),
        "packages": sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()),
    }


def configuration() -> dict:
    """Only settings known to be safe are shown; everything else is left out."""
    config = {name: getattr(settings, name, None) for name in SAFE_SETTINGS}
    config["DATABASE_ENGINE"] = settings.DATABASES["default"]["ENGINE"]
    config["CACHE_BACKEND"] = settings.CACHES["default"]["BACKEND"]
    return config


def counts() -> dict:
    from core.models import ApiToken, Membership, Organization, Project, User

    return {
        "users": User.objects.count(),
        "active_humans": User.objects.humans().count(),
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "projects": Project.objects.count(),
        "api_tokens": ApiToken.objects.count(),
    }


@hookimpl
def anneal_diagnostics() -> list[DiagnosticCollector]:
    return [
        DiagnosticCollector("versions", "Versions of Anneal, Python, Django and every installed package.", versions),
        DiagnosticCollector("plugins", "Installed plugins with their status and load errors.", summary),
        DiagnosticCollector("configuration", "Settings known to hold no secrets.", configuration),
        DiagnosticCollector("counts", "How many users, organizations, projects and tokens exist (never their content).", counts),
    ]
