"""Entry point of the prompts plugin.

Imported while Django settings load, so it contributes only settings-stage hooks and imports
nothing from Django models. The hooks that need models live in :mod:`anneal_prompts.hooks`,
which the core registers once apps are ready.
"""

from __future__ import annotations

import os
from typing import Any

from core.plugins import hookimpl

anneal_requires = ">=0.1,<0.2"

anneal_hooks = ["anneal_prompts.hooks"]


@hookimpl
def anneal_django_apps() -> list[str]:
    return ["anneal_prompts"]


@hookimpl
def anneal_settings_defaults() -> dict[str, Any]:
    return {
        # The PostgreSQL text search configuration used for stemming (PostgreSQL only).
        "ANNEAL_PROMPTS_SEARCH_CONFIG": os.environ.get("ANNEAL_PROMPTS_SEARCH_CONFIG", "english"),
    }
