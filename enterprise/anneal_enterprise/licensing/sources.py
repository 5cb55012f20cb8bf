"""Installing the license that the environment sets (``ANNEAL_LICENSE_KEY``, ``ANNEAL_LICENSE_FILE``).

When either variable is set, installing or removing an Anneal Enterprise license through the
page, the API or the CLI is refused with a message naming the variable, so the database and the
environment never disagree.

A process that finds a key in the environment installs it into the database (like any other
install: verified, recorded, an event emitted, the version bumped), so every process, including
ones started without the variable, follows the same license. :func:`sync_environment` runs
before each refresh of the license in force (registered with :func:`.status.before_refresh` when
the app is ready) and in the periodic license check.
"""

from __future__ import annotations

import hashlib
import logging

from anneal_enterprise.licensing import environment, services
from anneal_enterprise.licensing.environment import FILE_VARIABLE, KEY_VARIABLE, environment_key, environment_source
from anneal_enterprise.licensing.errors import LicenseRefused

__all__ = ["FILE_VARIABLE", "KEY_VARIABLE", "environment_key", "environment_source", "forget", "sync_environment"]

logger = logging.getLogger(__name__)

_attempted: set[str] = set()


def sync_environment() -> None:
    """Install the environment's key if it is not the one in force (once per distinct key)."""
    found = environment_key()
    if found is None:
        return
    text, source, detail = found
    marker = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    if marker in _attempted:
        return
    _attempted.add(marker)
    try:
        services.install(text, source=source, detail=detail)
    except LicenseRefused as refusal:
        logger.error("The license key in %s was refused: %s", detail, refusal.message)


def forget() -> None:
    """Forget which keys were tried (tests)."""
    _attempted.clear()
    environment.forget()
