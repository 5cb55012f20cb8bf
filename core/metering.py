"""Metering: how much of each meter every organization uses, per day, recorded cheaply.

    from core.plugins import Meter, hookimpl, record_usage

    @hookimpl
    def anneal_meters():
        return [Meter("prompts.renders", "render", "A prompt version rendered through the API.")]

    record_usage(organization, "prompts.renders")        # quantity defaults to 1

:func:`record` adds to an in-memory buffer aggregated by (organization, meter, day UTC): no
database query happens on that path. The buffer is written as one upsert per aggregated row
by :func:`flush`, which runs

* from the periodic job ``core.flush_meter_usage`` (every ``FLUSH_SECONDS``; on the embedded
  default it runs in the web process, where the usage is recorded);
* from :func:`record` itself when the buffer is older than ``FLUSH_SECONDS`` (so worker
  processes, where the periodic job may not run, flush too);
* when the process exits (``atexit``, and Celery's ``worker_process_shutdown``).

Reading (:func:`daily`, :func:`month_total`, ...) flushes this process's buffer first, so what a
process recorded is visible to itself at once and to others within ``FLUSH_SECONDS``.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Any

logger = logging.getLogger("anneal.metering")

FLUSH_SECONDS = 10.0

_lock = threading.Lock()
_buffer: dict[tuple[int, str, date], int] = defaultdict(int)
_state: dict[str, Any] = {"since": time.monotonic(), "generation": -1, "meters": {}}


def declared() -> dict[str, Any]:
    """Every declared meter by name (``core.plugins.Meter``), from the ``anneal_meters`` hook."""
    from core.plugins import hooks, manager

    if _state["generation"] != manager.generation():
        _state["meters"] = {meter.name: meter for _, meter in hooks.meters()}
        _state["generation"] = manager.generation()
    return _state["meters"]


def today() -> date:
    return datetime.now(timezone.utc).date()


def record(organization: Any, meter: str, quantity: int = 1) -> None:
    """Count ``quantity`` (a positive whole number) of ``meter`` for ``organization`` (or its id) today."""
    if meter not in declared():
        raise ValueError(f"The meter {meter!r} is not declared: return it from an anneal_meters hook.")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValueError("quantity must be a positive whole number")
    key = (organization if isinstance(organization, int) else organization.pk, meter, today())
    with _lock:
        _buffer[key] += quantity
        stale = time.monotonic() - _state["since"] >= FLUSH_SECONDS
    if stale:
        flush()


def check(organization: Any, meter: str, quantity: int = 1) -> None:
    """Before new metered work: raise ``PolicyRefused`` when a policy (a license quota) refuses it.

    Asks the ``anneal_action_policy`` hook with the action ``"meter.use"`` and details
    ``{"meter": meter, "quantity": quantity}``. Call it before creating something new, never
    before serving what exists.
    """
    from core.events import current_actor
    from core.plugins import hooks
    from core.services.errors import PolicyRefused

    refusal = hooks.action_policy("meter.use", current_actor(), organization, {"meter": meter, "quantity": quantity})
    if refusal is not None:
        raise PolicyRefused(refusal.reason, refusal.code)


def pending() -> dict[tuple[int, str, date], int]:
    """What this process recorded and has not written yet (a copy)."""
    with _lock:
        return dict(_buffer)


def flush() -> int:
    """Write the buffer (one upsert per organization, meter and day); returns the rows written.

    On a database error the quantities go back into the buffer, so nothing recorded is lost.
    """
    with _lock:
        batch = dict(_buffer)
        _buffer.clear()
        _state["since"] = time.monotonic()
    if not batch:
        return 0
    from django.db import DatabaseError, IntegrityError, transaction
    from django.db.models import F

    from core.models import MeterUsage

    written = 0
    for key, quantity in sorted(batch.items(), key=lambda item: item[0]):
        organization_id, meter, day = key
        rows = MeterUsage.objects.filter(organization_id=organization_id, meter=meter, day=day)
        try:
            with transaction.atomic():
                if not rows.update(quantity=F("quantity") + quantity):
                    try:
                        with transaction.atomic():
                            MeterUsage.objects.create(organization_id=organization_id, meter=meter, day=day,
                                                      quantity=quantity)
                    except IntegrityError:  # another process created the row meanwhile
                        rows.update(quantity=F("quantity") + quantity)
        except IntegrityError:
            logger.warning("Dropped %s of %s for organization %s: the organization no longer exists.",
                           quantity, meter, organization_id)
        except DatabaseError:
            logger.exception("Could not write metered usage; it stays buffered and is written with the next flush.")
            with _lock:
                for pending_key, pending_quantity in batch.items():
                    _buffer[pending_key] += pending_quantity
            return written
        else:
            written += 1
        del batch[key]
    return written


def daily(organization: Any, meter: str | None = None, since: date | None = None,
          until: date | None = None) -> list[tuple[date, str, int]]:
    """``(day, meter, quantity)`` rows of ``organization``, oldest first (this process flushed first)."""
    from core.models import MeterUsage

    flush()
    rows = MeterUsage.objects.filter(organization=organization)
    if meter:
        rows = rows.filter(meter=meter)
    if since:
        rows = rows.filter(day__gte=since)
    if until:
        rows = rows.filter(day__lte=until)
    return list(rows.order_by("day", "meter").values_list("day", "meter", "quantity"))


def day_totals(day: date) -> dict[str, int]:
    """Every meter's total across the instance on ``day``."""
    from django.db.models import Sum

    from core.models import MeterUsage

    flush()
    rows = MeterUsage.objects.filter(day=day).values("meter").annotate(total=Sum("quantity"))
    return {row["meter"]: int(row["total"]) for row in rows.order_by("meter")}


def month_total(meter: str, organization: Any = None, day: date | None = None) -> int:
    """``meter``'s total for the calendar month (UTC) of ``day`` (today), for one organization or all."""
    from django.db.models import Sum

    from core.models import MeterUsage

    flush()
    day = day or today()
    rows = MeterUsage.objects.filter(meter=meter, day__gte=day.replace(day=1), day__lte=day)
    if organization is not None:
        rows = rows.filter(organization=organization)
    return int(rows.aggregate(total=Sum("quantity"))["total"] or 0)


def instance_month_total(meter: str) -> int:
    return month_total(meter)


def forget() -> None:
    """Drop the buffer without writing it (tests)."""
    with _lock:
        _buffer.clear()
        _state["since"] = time.monotonic()


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the database may already be gone at interpreter exit
        logger.exception("Could not write metered usage at exit.")


atexit.register(_flush_at_exit)


class MeterSeries:
    """One meter's daily quantities for an organization over a period (zeros included)."""

    def __init__(self, name: str, unit: str, description: str, days: list[tuple[date, int]]) -> None:
        self.name, self.unit, self.description, self.days = name, unit, description, days

    @property
    def total(self) -> int:
        return sum(quantity for _, quantity in self.days)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "description": self.description, "total": self.total,
                "days": [{"day": day.isoformat(), "quantity": quantity} for day, quantity in self.days]}


def series(organization: Any, first_day: date, last_day: date) -> list[MeterSeries]:
    """Every declared meter (and any other with usage) for ``organization``, one value per day."""
    from datetime import timedelta

    found: dict[str, dict[date, int]] = {name: {} for name in declared()}
    for day, meter, quantity in daily(organization, since=first_day, until=last_day):
        found.setdefault(meter, {})[day] = quantity
    span = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    result = []
    for name in sorted(found):
        meter = declared().get(name)
        result.append(MeterSeries(name, meter.unit if meter else "", meter.description if meter else
                                  "No longer declared by an installed plugin.",
                                  [(day, found[name].get(day, 0)) for day in span]))
    return result
