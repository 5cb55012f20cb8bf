"""The time MFA reads: TOTP steps, step-up recency, pending sign-ins. Tests replace ``now``."""

from __future__ import annotations

import time
from typing import Callable

#: Seconds since the epoch.
now: Callable[[], float] = time.time
