"""A count per plugin and hook, kept in this process and in the shared cache.

The record of slow hook calls (``core.plugins.budget``) and of failed ones
(``core.plugins.failures``) are both ledgers: each entry counts how often one plugin's
implementation of one hook did something, when it last did, and one detail (the slowest
duration, the last error). Counting in the shared cache lets the System page and
``anneal plugins`` in one process see what happened in another (with Redis; the embedded
default's cache is per process). The ledger is diagnostics: writing to it never fails the call
it describes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

logger = logging.getLogger("anneal.plugins")

_SHARED_TTL = 7 * 24 * 3600
_FIELDS = ("count", "detail", "last")


@dataclass(frozen=True)
class LedgerEntry:
    plugin: str
    hook: str
    count: int
    last_at: float
    detail: Any


class HookLedger:
    """Entries keyed by ``(plugin, hook)``; ``merge(old_detail, new_detail)`` keeps one detail."""

    def __init__(self, prefix: str, merge: Callable[[Any, Any], Any]) -> None:
        self._prefix = prefix
        self._merge = merge
        self._lock = threading.Lock()
        self._local: dict[tuple[str, str], LedgerEntry] = {}

    def record(self, plugin: str, hook: str, detail: Any) -> LedgerEntry:
        """Count one occurrence here and in the shared cache; return this process's entry."""
        now = time.time()
        with self._lock:
            previous = self._local.get((plugin, hook))
            if previous is None:
                current = LedgerEntry(plugin, hook, 1, now, detail)
            else:
                current = replace(previous, count=previous.count + 1, last_at=now,
                                  detail=self._merge(previous.detail, detail))
            self._local[(plugin, hook)] = current
        self._record_shared(plugin, hook, detail, now)
        return current

    def _key(self, plugin: str, hook: str, name: str) -> str:
        return f"{self._prefix}:{plugin}:{hook}:{name}"

    def _record_shared(self, plugin: str, hook: str, detail: Any, now: float) -> None:
        try:
            from django.core.cache import cache

            count_key = self._key(plugin, hook, "count")
            cache.add(count_key, 0, _SHARED_TTL)
            cache.incr(count_key)
            known = cache.get(self._key(plugin, hook, "detail"))
            cache.set(self._key(plugin, hook, "detail"),
                      detail if known is None else self._merge(known, detail), _SHARED_TTL)
            cache.set(self._key(plugin, hook, "last"), now, _SHARED_TTL)
        except Exception:
            logger.debug("Could not record a hook call in the shared cache", exc_info=True)

    def in_this_process(self) -> list[LedgerEntry]:
        with self._lock:
            return sorted(self._local.values(), key=lambda e: (-e.count, e.plugin, e.hook))

    def shared(self, plugins: Iterable[str], hooks: Iterable[str]) -> list[LedgerEntry]:
        """Entries of these plugins and hooks from every process sharing the cache.

        Falls back to this process's entries when the cache cannot be read.
        """
        pairs = [(plugin, hook) for plugin in plugins for hook in hooks]
        try:
            from django.core.cache import cache

            values = cache.get_many([self._key(p, h, f) for p, h in pairs for f in _FIELDS])
        except Exception:
            logger.debug("Could not read hook calls from the shared cache", exc_info=True)
            return self.in_this_process()
        found = {(e.plugin, e.hook): e for e in self.in_this_process()}
        for plugin, hook in pairs:
            count = values.get(self._key(plugin, hook, "count"))
            if not count:
                continue
            mine = found.get((plugin, hook))
            detail = values.get(self._key(plugin, hook, "detail"))
            last = float(values.get(self._key(plugin, hook, "last")) or 0.0)
            if mine is not None:
                detail = mine.detail if detail is None else (
                    self._merge(detail, mine.detail) if last <= mine.last_at else self._merge(mine.detail, detail))
                last = max(last, mine.last_at)
            found[(plugin, hook)] = LedgerEntry(plugin, hook, max(int(count), mine.count if mine else 0), last, detail)
        return sorted(found.values(), key=lambda e: (-e.count, e.plugin, e.hook))

    def forget(self, plugin: str | None = None, hooks: Iterable[str] = ()) -> None:
        """Clear ``plugin``'s entries (or every plugin's) here, and for ``hooks`` in the cache."""
        with self._lock:
            mine = [pair for pair in self._local if plugin is None or pair[0] == plugin]
            for pair in mine:
                del self._local[pair]
        pairs = set(mine)
        if plugin is not None:
            pairs.update((plugin, hook) for hook in hooks)
        try:
            from django.core.cache import cache

            cache.delete_many([self._key(p, h, f) for p, h in pairs for f in _FIELDS])
        except Exception:
            logger.debug("Could not clear hook calls in the shared cache", exc_info=True)
