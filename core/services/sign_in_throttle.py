"""Slowing down password guessing: failed sign-ins counted per account and per client address.

After ``ANNEAL_SIGN_IN_MAX_FAILURES`` failures for one email address, or
``ANNEAL_SIGN_IN_MAX_FAILURES_PER_ADDRESS`` from one client address, within
``ANNEAL_SIGN_IN_FAILURE_WINDOW`` seconds, password sign-ins for that account (or from that
address) are refused for ``ANNEAL_SIGN_IN_LOCKOUT`` seconds, even with the right password.
Every entry expires, so no lock is permanent; a completed password reset lifts the account's
lock at once.

The counts live in Django's cache: Redis when ``REDIS_URL`` is set, shared by every web
process; per process on the embedded default (one web process). Email addresses and client
addresses are hashed in the keys. A successful sign-in clears its account's count only, never
its address's count, so one good password cannot hide guessing at other accounts.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Callable, Literal

from django.conf import settings
from django.core.cache import cache

Scope = Literal["account", "address"]

KEY_PREFIX = "anneal:sign-in"

#: Seconds since the epoch; tests replace it to let a lock run out without waiting.
clock: Callable[[], float] = time.time


@dataclass(frozen=True)
class Lock:
    """A refusal in force: whose failures caused it, and how long it still lasts."""

    scope: Scope
    seconds_left: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds_left / 60))
        return f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _limits() -> dict[Scope, int]:
    return {
        "account": int(settings.ANNEAL_SIGN_IN_MAX_FAILURES),
        "address": int(settings.ANNEAL_SIGN_IN_MAX_FAILURES_PER_ADDRESS),
    }


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _subjects(email: str, address: str | None) -> dict[Scope, str]:
    subjects: dict[Scope, str] = {"account": f"{KEY_PREFIX}:account:{_digest(email.strip().lower())}"}
    if address:
        subjects["address"] = f"{KEY_PREFIX}:address:{_digest(address)}"
    return subjects


def current_lock(email: str, address: str | None) -> Lock | None:
    """The lock that refuses a sign-in as ``email`` from ``address`` now, if any (the longest)."""
    subjects = _subjects(email, address)
    until = cache.get_many([f"{key}:locked-until" for key in subjects.values()])
    now = clock()
    locks = [
        Lock(scope, math.ceil(until[f"{key}:locked-until"] - now))
        for scope, key in subjects.items()
        if until.get(f"{key}:locked-until", 0) > now
    ]
    return max(locks, key=lambda lock: lock.seconds_left, default=None)


def record_failure(email: str, address: str | None) -> Lock | None:
    """Count a failed password sign-in; the lock it starts, if it reaches a limit."""
    window = int(settings.ANNEAL_SIGN_IN_FAILURE_WINDOW)
    lockout = int(settings.ANNEAL_SIGN_IN_LOCKOUT)
    started: Lock | None = None
    for scope, key in _subjects(email, address).items():
        count_key = f"{key}:failures"
        cache.add(count_key, 0, window)
        try:
            failures = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.add(count_key, 1, window)
            failures = 1
        if failures >= _limits()[scope]:
            cache.set(f"{key}:locked-until", clock() + lockout, lockout)
            cache.delete(count_key)
            if started is None or scope == "account":
                started = Lock(scope, lockout)
    return started


def record_success(email: str) -> None:
    """A right password: forget this account's failures (its address's count stays)."""
    cache.delete(f"{_subjects(email, None)['account']}:failures")


def lift_account_lock(email: str) -> None:
    """Forget an account's failures and lock, for example after its password was reset."""
    key = _subjects(email, None)["account"]
    cache.delete_many([f"{key}:failures", f"{key}:locked-until"])
