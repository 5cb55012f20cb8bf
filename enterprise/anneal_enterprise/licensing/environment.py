"""Licenses set by the environment: ``ANNEAL_LICENSE_KEY`` and ``ANNEAL_LICENSE_FILE`` (reading only).

Precedence, highest first: ``ANNEAL_LICENSE_KEY``, then ``ANNEAL_LICENSE_FILE``, then the key
installed through the License page, the REST API or ``anneal license install``. The file is
re-read when its modification time changes, so a rotated Kubernetes secret takes effect without
a restart. :mod:`.sources` installs what is found here.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)

KEY_VARIABLE = "ANNEAL_LICENSE_KEY"
FILE_VARIABLE = "ANNEAL_LICENSE_FILE"

_reported: set[str] = set()
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
        if path not in _reported:
            _reported.add(path)
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


def forget() -> None:
    _reported.clear()
    _file_cache.clear()
