"""What recording metered usage costs, against writing one row per event.

    .venv/bin/python bench/metering_record.py [--events 20000] [--rounds 5]

Runs in one process on the embedded default (SQLite in a temporary folder), alternating the
variants each round, and prints medians:

* ``record_usage``: ``core.plugins.record_usage(organization, meter)``, the buffered call a
  plugin makes on its hot path (no query);
* ``flush``: writing the aggregated buffer of those events (one upsert per organization and day);
* ``one row per event``: what an unbuffered design costs, an ``UPDATE ... quantity + 1`` per event.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.embedded import setup_embedded  # noqa: E402


def setup() -> None:
    setup_embedded("anneal-bench-metering-")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.db.models import F

    from core import metering
    from core.models import MeterUsage, Organization
    from core.plugins import record_usage

    organization = Organization.objects.create(name="Bench", slug="bench")
    meter = next(iter(metering.declared()))
    record, flush, direct = [], [], []
    for _ in range(args.rounds):
        started = time.perf_counter_ns()
        for _ in range(args.events):
            record_usage(organization, meter)
        record.append((time.perf_counter_ns() - started) / args.events)
        started = time.perf_counter_ns()
        metering.flush()
        flush.append((time.perf_counter_ns() - started) / 1e6)
        rows = MeterUsage.objects.filter(organization=organization, meter=meter, day=metering.today())
        started = time.perf_counter_ns()
        for _ in range(args.events // 10):
            rows.update(quantity=F("quantity") + 1)
        direct.append((time.perf_counter_ns() - started) / (args.events // 10))
    print(f"meter: {meter}, {args.events} events x {args.rounds} rounds (medians)")
    print(f"record_usage per event:        {statistics.median(record) / 1000:.2f} us")
    print(f"flush of the buffered events:  {statistics.median(flush):.2f} ms (one upsert)")
    print(f"one UPDATE per event instead:  {statistics.median(direct) / 1000:.1f} us")
    print(f"ratio (row per event / record_usage): {statistics.median(direct) / statistics.median(record):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
