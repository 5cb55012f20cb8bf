"""Licenses set by the environment: ``ANNEAL_LICENSE_KEY`` and ``ANNEAL_LICENSE_FILE``.

Precedence, highest first: ``ANNEAL_LICENSE_KEY``, then ``ANNEAL_LICENSE_FILE``, then the key
installed through the License page, the REST API or ``anneal license install``. When either
variable is set, installing or removing through the page, the API or the CLI is refused with a
message naming the variable, so the database and the environment never disagree.

A process that finds a key in the environment installs it into the database (like any other
install: verified, recorded, an event emitted, the version bumped), so every process, including
ones started without the variable, follows the same license. The file is re-read when its
modification time changes, so a rotated Kubernetes secret takes effect without a restart.
"""

from __future__ import annotations

import hashlib
import logging
import os

from anneal_enterprise.licensing.errors import LicenseRefused

logger = logging.getLogger(__name__)

KEY_VARIABLE = "ANNEAL_LICENSE_KEY"
FILE_VARIABLE = "ANNEAL_LICENSE_FILE"

_attempted: set[str] = set()
_file_cache: dict[str, tuple[float, str]] = {}


def environment_source() -> str | None:
    """The variable that sets the license, or ``None``."""
    if os.environ.get(KEY_VARIABLE, "").strip():
        return KEY_VARIABLE
    if os.environ.get(FILE_VARIABLE, "").strip():
        return FILE_VARIABLE
    return None


def _read_file(path: str) -> str | None:
    try:
        mtime = os.stat(path).st_mtime
        cached = _file_cache.get(path)
        if cached is None or cached[0] != mtime:
            with open(path, encoding="ascii", errors="replace") as handle:
                _file_cache[path] = (mtime, handle.read())
        return _file_cache[path][1]
    except OSError as error:
        marker = f"missing:{path}"
        if marker not in _attempted:
            _attempted.add(marker)
            logger.error("%s=%s cannot be read (%s); the current license stays in force.", FILE_VARIABLE, path, error)
        return None


def environment_key() -> tuple[str, str, str] | None:
    """``(key text, source, detail)`` from the environment, or ``None``."""
    text = os.environ.get(KEY_VARIABLE, "").strip()
    if text:
        return text, "environment", KEY_VARIABLE
    path = os.environ.get(FILE_VARIABLE, "").strip()
    if path:
        content = _read_file(path)
        if content is not None:
            return content, "file", path
    return None


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
    from anneal_enterprise.licensing import services

    try:
        services.install(text, source=source, detail=detail)
    except LicenseRefused as refusal:
        logger.error("The license key in %s was refused: %s", detail, refusal.message)


def forget() -> None:
    """Forget which keys were tried (tests)."""
    _attempted.clear()
    _file_cache.clear()
