"""The enterprise package's entry point: an ordinary Anneal plugin with no back door.

This module is imported while settings load, so it imports nothing from Django models.
The hook modules listed in ``anneal_hooks`` are registered once apps are ready.
"""

from core.plugins import hookimpl

anneal_requires = ">=0.1,<0.2"

anneal_hooks = [
    "anneal_enterprise.licensing.hooks",
    "anneal_enterprise.audit.hooks",
]


@hookimpl
def anneal_django_apps() -> list[str]:
    return [
        "anneal_enterprise.licensing",
        "anneal_enterprise.audit",
    ]
