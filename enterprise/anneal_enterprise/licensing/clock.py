"""The licensing clock: ``now()`` is the wall clock unless a test sets it.

Every date comparison of the license lifecycle goes through :func:`now`, so tests can stand
on each boundary (the day expiry warnings start, the expiry instant, the end of grace).
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timezone
from typing import Iterator

_fixed: list[datetime] = []


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    if _fixed:
        return _fixed[-1]
    return datetime.now(timezone.utc)


def timestamp() -> float:
    """:func:`now` as POSIX seconds: the cheap form the feature check compares."""
    if _fixed:
        return _fixed[-1].timestamp()
    return time.time()


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Make :func:`now` return ``moment`` inside the block (for tests of the lifecycle)."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime.")
    _fixed.append(moment)
    _clock_changed()
    try:
        yield moment
    finally:
        _fixed.pop()
        _clock_changed()


def set_now(moment: datetime | None) -> None:
    """Replace the frozen time (``None`` returns to the wall clock)."""
    _fixed.clear()
    if moment is not None:
        _fixed.append(moment)
    _clock_changed()


def _clock_changed() -> None:
    """A test moved the clock: cached feature answers (valid until a moment) are stale."""
    from core import features

    features.invalidate()
