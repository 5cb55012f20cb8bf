"""Entry point of the webhooks plugin.

Imported while Django settings load, so it contributes only settings-stage hooks and imports
nothing from Django models. The hooks that need models live in :mod:`anneal_webhooks.hooks`,
which the core registers once apps are ready.
"""

from __future__ import annotations

import os
from typing import Any

from core.plugins import hookimpl

anneal_requires = ">=0.1,<0.2"

anneal_hooks = ["anneal_webhooks.hooks"]


@hookimpl
def anneal_django_apps() -> list[str]:
    return ["anneal_webhooks"]


@hookimpl
def anneal_settings_defaults() -> dict[str, Any]:
    return {
        # An endpoint is disabled after this many failed delivery attempts in a row.
        "ANNEAL_WEBHOOKS_DISABLE_AFTER": int(os.environ.get("ANNEAL_WEBHOOKS_DISABLE_AFTER", "10")),
        # A delivery is given up after this many attempts.
        "ANNEAL_WEBHOOKS_MAX_ATTEMPTS": int(os.environ.get("ANNEAL_WEBHOOKS_MAX_ATTEMPTS", "8")),
        # The first retry waits this long; each later one waits twice as long as the last.
        "ANNEAL_WEBHOOKS_RETRY_SECONDS": float(os.environ.get("ANNEAL_WEBHOOKS_RETRY_SECONDS", "30")),
        "ANNEAL_WEBHOOKS_MAX_RETRY_SECONDS": float(os.environ.get("ANNEAL_WEBHOOKS_MAX_RETRY_SECONDS", "21600")),
        "ANNEAL_WEBHOOKS_TIMEOUT_SECONDS": float(os.environ.get("ANNEAL_WEBHOOKS_TIMEOUT_SECONDS", "10")),
        # Finished deliveries (and their log) are deleted after this many days.
        "ANNEAL_WEBHOOKS_KEEP_DAYS": float(os.environ.get("ANNEAL_WEBHOOKS_KEEP_DAYS", "30")),
        # How often the periodic task looks for deliveries that are due for a retry.
        "ANNEAL_WEBHOOKS_SWEEP_SECONDS": float(os.environ.get("ANNEAL_WEBHOOKS_SWEEP_SECONDS", "15")),
    }
