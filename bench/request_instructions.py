"""Machine instructions per API request, counted by valgrind: the floor comparison without noise.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anneal .venv/bin/python -m bench.request_instructions \\
        [--requests 100] [--warm 20]

``bench/request_floor.py`` measures requests per worker CPU-second, which moves by ±10% from
round to round on a shared machine. This counts the instructions one request executes (Python
and C alike: the interpreter, psycopg, the JSON encoder), which no other load on the machine can
change. ``GET /api/v1/organizations/<slug>/projects/`` (bearer token, a page of 50 projects) runs
through Django's WSGI handler in one process, as in ``bench/request_profile.py`` and on the same
database ``<name>_floorprofile``, for ``minimal`` (``bench/minimal``), ``bare`` (enterprise and
plugins disabled) and ``licensed`` (enterprise licensed, the example plugins). Each variant runs
twice under ``valgrind --tool=cachegrind``: ``--warm`` requests, then ``--warm`` + ``--requests``;
the difference of the two totals divided by ``--requests`` is one request's instructions, start-up
left out. Each child checks that every answer is a 200 and that the last one holds the same 50 rows as
the minimal application's.

Valgrind runs the process about 40 times slower, so the work that runs at most once a second (the
license version, the shared cache's versions) would fall into every few requests instead of one
in a few hundred: the child stretches those periods to an hour, and the result is the per-request
work alone. Needs ``valgrind`` on the PATH.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.request_profile import PATH, ROOT, prepare

VARIANTS = ("minimal", "bare", "licensed")


def child(variant: str, requests: int, token: str) -> None:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    if variant != "minimal":
        from core import shared_cache

        shared_cache.REFRESH_SECONDS = 3600.0
    if variant == "licensed":
        from django.conf import settings

        from anneal_enterprise.licensing import services, status
        from anneal_enterprise.licensing.testing import TestSigner

        status.REFRESH_SECONDS = 3600.0
        signer = TestSigner()
        settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
        services.install(signer.issue(), source="cli")
        status.refresh(force=True)
        assert status.grants("sso"), "the licensed variant is not licensed"
    environ = RequestFactory()._base_environ(PATH_INFO=PATH, REQUEST_METHOD="GET",
                                             HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="127.0.0.1")
    handler = WSGIHandler()
    statuses = set()
    for _ in range(requests):
        response = handler(dict(environ), lambda status, headers: None)
        body = b"".join(response)
        response.close()
        statuses.add(response.status_code)
    assert statuses == {200}, statuses
    rows = json.loads(body)["results"]  # checked once: parsing every answer would be counted too
    assert len(rows) == 50, len(rows)
    print(json.dumps({"rows": hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()}))


def environment(variant: str, url: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"} and not k.startswith("ANNEAL_PLUGINS_")}
    env.update(DATABASE_URL=url, ANNEAL_DATA_DIR=data_dir, ANNEAL_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="bench.minimal.settings" if variant == "minimal" else "core.settings",
               ANNEAL_API_RATE_PER_TOKEN="100000000/minute", ANNEAL_API_RATE_PER_ORGANIZATION="100000000/minute",
               ANNEAL_EMBEDDED_SCHEDULER="0")  # no periodic tasks in a background thread while counting
    if variant == "bare":
        env["ANNEAL_PLUGINS_DISABLED"] = ",".join(sorted(ep.name for ep in metadata.entry_points(group="anneal")))
    return env


def instructions(variant: str, requests: int, token: str, env: dict[str, str], work: Path) -> tuple[int, str]:
    out_file = work / f"cachegrind.{variant}.{requests}"
    run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out_file}",
                          sys.executable, "-m", "bench.request_instructions", "--child", "--variant", variant,
                          "--requests", str(requests), "--token", token],
                         env=env, cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"{variant}: {run.stderr[-3000:]}")
    refs = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    assert refs, run.stderr[-2000:]
    return int(refs.group(1).replace(",", "")), json.loads(run.stdout.strip().splitlines()[-1])["rows"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.variant, args.requests, args.token)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("This benchmark counts instructions with valgrind: install it (apt-get install valgrind).")
    url = prepare(os.environ["DATABASE_URL"])
    work = Path(tempfile.mkdtemp(prefix="anneal-instructions-"))
    setup = subprocess.run([sys.executable, "-c", SETUP], env=environment("licensed", url, str(work)), cwd=ROOT,
                           capture_output=True, text=True)
    if setup.returncode:
        raise SystemExit(setup.stderr[-3000:])
    token = setup.stdout.strip().splitlines()[-1]
    per_request: dict[str, float] = {}
    rows: dict[str, str] = {}
    for variant in VARIANTS:
        env = environment(variant, url, str(work))
        warm, _ = instructions(variant, args.warm, token, env, work)
        total, rows[variant] = instructions(variant, args.warm + args.requests, token, env, work)
        per_request[variant] = (total - warm) / args.requests
        print(f"{variant:9} {per_request[variant] / 1e6:7.3f} M instructions per request", flush=True)
    assert len(set(rows.values())) == 1, f"the variants returned different rows: {rows}"
    print(f"all three return the same 50 rows; instructions of the minimal application per request / the variant's "
          f"(higher is better, as requests per CPU-second):")
    for variant in ("bare", "licensed"):
        print(f"  {variant:9} {per_request['minimal'] / per_request[variant]:.3f}")
    return 0


SETUP = """
import django
django.setup()
from bench.request_profile import prepare_rows
print(prepare_rows("bare", None))
"""


if __name__ == "__main__":
    sys.exit(main())
