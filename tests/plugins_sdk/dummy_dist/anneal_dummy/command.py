"""``anneal dummy-hello``: prints what the dummy plugin contributed to settings, as JSON."""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the dummy plugin's contributions to settings."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({
            "installed_apps": "anneal_dummy" in settings.INSTALLED_APPS,
            "middleware": "anneal_dummy.plugin.DummyMiddleware" in settings.MIDDLEWARE,
            "backends": "anneal_dummy.plugin.DummyBackend" in settings.AUTHENTICATION_BACKENDS,
            "greeting": getattr(settings, "ANNEAL_DUMMY_GREETING", None),
            "time_zone": settings.TIME_ZONE,
        }))
