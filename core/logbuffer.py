"""A bounded buffer of this process's most recent log lines, for diagnostics.

The ``recent`` handler in ``LOGGING`` keeps the last ``ANNEAL_LOG_BUFFER_LINES`` formatted
records in memory. Nothing is written to disk and the buffer never grows past its bound, so it
is safe to leave on; the ``recent_logs`` diagnostic collector reads it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque

DEFAULT_LINES = 500


class RecentLogHandler(logging.Handler):
    """Keeps formatted log records in a process-wide ring buffer."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a bad record must never break logging
            return
        with _lock:
            _buffer.append(line)


def _capacity() -> int:
    try:
        return max(1, int(os.environ.get("ANNEAL_LOG_BUFFER_LINES", DEFAULT_LINES)))
    except ValueError:
        return DEFAULT_LINES


_lock = threading.Lock()
_buffer: deque[str] = deque(maxlen=_capacity())


def recent_lines(limit: int | None = None) -> list[str]:
    """The newest ``limit`` lines (all kept lines when ``None``), oldest first."""
    with _lock:
        lines = list(_buffer)
    return lines if limit is None else lines[-limit:]


def clear() -> None:
    with _lock:
        _buffer.clear()
