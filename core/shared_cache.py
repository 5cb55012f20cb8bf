"""Process caches that every process reloads within a second of a change anywhere.

A :class:`SharedCache` holds the result of a loader (for example "which organizations enforce
SSO") in the process. Code that changes what the loader reads calls :meth:`SharedCache.changed`
inside the change's transaction: that writes a new random stamp into the cache's row of
``core_sharedversion`` and drops this process's copy. Every process reads all stamps in one query at most once per
:data:`REFRESH_SECONDS` and reloads the caches whose stamp changed, as the license in force
is followed (``anneal_enterprise.licensing.status``).

Inside a transaction that changed the data, :meth:`SharedCache.get` loads without caching, so
the transaction sees its own change and a rollback leaves no trace in the cache.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Callable, Generic, TypeVar

from django.db import DatabaseError, connection, transaction

T = TypeVar("T")

REFRESH_SECONDS = 1.0

_lock = threading.Lock()
_polled = {"at": float("-inf"), "versions": {}}  # type: dict[str, object]


def _versions() -> dict[str, int]:
    """Every cache's version stamp, read from the database at most once per ``REFRESH_SECONDS``."""
    if time.monotonic() - _polled["at"] < REFRESH_SECONDS:  # type: ignore[operator]
        return _polled["versions"]  # type: ignore[return-value]
    from core.models import SharedVersion

    try:
        versions = dict(SharedVersion.objects.values_list("name", "version"))
    except DatabaseError:
        versions = {}  # not migrated yet: behave as if nothing was ever changed
    _polled.update(at=time.monotonic(), versions=versions)
    return versions


def expire_poll() -> None:
    """Make the next :meth:`SharedCache.get` re-read the stamps (tests, and after a local change)."""
    _polled["at"] = float("-inf")


class SharedCache(Generic[T]):
    """``loader()``'s result, kept until its shared version stamp changes."""

    def __init__(self, name: str, loader: Callable[[], T]) -> None:
        self.name = name
        self.loader = loader
        self._value: T | None = None
        self._version: int | None = None  # ``None``: nothing cached
        self._pending = False  # a change of this process's open transaction is not committed yet
        self._pending_in: object = None  # the outermost atomic block of that transaction

    def get(self) -> T:
        if self._pending:
            if connection.in_atomic_block and connection.atomic_blocks and connection.atomic_blocks[0] is self._pending_in:
                return self.loader()
            # the transaction ended: committed (new stamp) or rolled back (a later transaction has
            # other atomic blocks, so a rollback that never ran on_commit cannot leave this set)
            self._pending, self._pending_in = False, None
        version = _versions().get(self.name, 0)
        if self._version != version or self._value is None:
            with _lock:
                value = self.loader()
                self._value, self._version = value, version
            return value
        return self._value

    def forget(self) -> None:
        """Drop this process's copy: the next :meth:`get` loads again (tests, and after a local reset)."""
        self._version = None
        self._pending, self._pending_in = False, None

    def changed(self) -> None:
        """Call inside the transaction that changes what the loader reads."""
        from core.models import SharedVersion

        # A fresh random stamp rather than version + 1: a rolled-back change could otherwise hand
        # the same number to a later change, and a process that saw it would keep a stale copy.
        stamp = secrets.randbits(62)
        table = connection.ops.quote_name(SharedVersion._meta.db_table)
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (name, version) VALUES (%s, %s) "
                           f"ON CONFLICT (name) DO UPDATE SET version = %s", [self.name, stamp, stamp])
        self._pending = connection.in_atomic_block
        self._pending_in = connection.atomic_blocks[0] if connection.atomic_blocks else None
        self._version = None
        expire_poll()
        transaction.on_commit(self._committed)

    def _committed(self) -> None:
        self._pending = False
        self._version = None
        expire_poll()
