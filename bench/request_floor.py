"""What Anneal's request path costs against the framework's floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anneal .venv/bin/python -m bench.request_floor \\
        [--rounds 5] [--seconds 4] [--threads 4] [--workers 2]

Three servers, each gunicorn (from the project's dependencies) with two sync workers on a free
loopback port, all on the same PostgreSQL database ``<name>_floorbench`` (dropped and migrated
first) holding one organization with 50 projects, a member and their API token:

* ``minimal``: ``bench/minimal``, the cheapest Django + DRF application doing the same work
  (token authentication, two middleware classes, a page of 50 projects): the floor;
* ``bare``: Anneal with the enterprise package and every plugin disabled;
* ``licensed``: Anneal with the enterprise package licensed (a throwaway signing key, every
  feature) and the example plugins (webhooks, prompts) enabled.

Each round loads each server in turn (the order rotates every round) from a separate process
(``bench/load.py``) with ``GET /api/v1/organizations/<slug>/projects/`` and a bearer token, and
reads the CPU time the server's workers spent from ``/proc``. It prints requests per worker
CPU-second for each server and the ratios ``bare / minimal`` and ``licensed / minimal`` (median
and range of the per-round ratios, and the ratio of the two medians), and the wall-clock requests
per second for reference. Before
any load it asserts that the three servers return the same 50 rows. No Redis is used unless
``--redis URL`` is given (then Anneal's cache, hence its API rate-limit counters, live in Redis).
The API rate limits are raised so that no request is refused with 429. ``--control`` adds a
fourth server, a second copy of the minimal application, measured the same way: its ratio to the
first copy is what the machine's noise alone does to a ratio in this run. ``--together`` loads
all servers at once instead of one after another: one load process (``--threads`` threads per
server) sends each thread's requests to the servers in turn, so each server's CPU-seconds are
counted over the same moments of the machine's load, and a burst of other work slows all of them
alike instead of whichever server was loaded then. ``--control-imports`` makes the control as
large a process as Anneal's: it also imports every module the licensed product's worker loads and
the minimal application does not (``bench/minimal/wsgi_loaded.py``), but does the minimal work.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLUG = "floor"
PATH = f"/api/v1/organizations/{SLUG}/projects/"
PROJECTS = 50
VARIANTS = ("minimal", "bare", "licensed")

SETUP = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from anneal_enterprise.licensing import services
from anneal_enterprise.licensing.testing import TestSigner
from core.models import Membership, Organization, Project, User
from core.services.tokens import create_token
user = User.objects.create_user("floor@example.com", "floor password 1")
organization = Organization.objects.create(name="Floor", slug="%(slug)s")
Membership.objects.create(organization=organization, user=user, role="member")
other = Organization.objects.create(name="Elsewhere", slug="elsewhere")
for n in range(%(projects)d):
    Project.objects.create(organization=organization, name=f"Project {n:02d}", slug=f"project-{n:02d}",
                           description="x" * 40)
    Project.objects.create(organization=other, name=f"Other {n:02d}", slug=f"other-{n:02d}")
signer = TestSigner()
from django.conf import settings
settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
services.install(signer.issue(), source="cli")
print(json.dumps({"token": create_token(user, "floor")[1], "keys": signer.extra_public_keys()}))
"""


def database_url() -> str:
    base = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    if not base.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server.")
    name = base.path.lstrip("/") + "_floorbench"
    admin = base._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return base._replace(path=f"/{name}").geturl()


def environment(variant: str, url: str, data_dir: str, keys: dict[str, str], redis: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "ANNEAL_TRACE_HOOKS"} and not k.startswith("ANNEAL_PLUGINS_")}
    env.update(DATABASE_URL=url, PYTHONPATH=str(ROOT), ANNEAL_DATA_DIR=data_dir, ANNEAL_LOG_LEVEL="WARNING",
               ANNEAL_API_RATE_PER_TOKEN="100000000/minute", ANNEAL_API_RATE_PER_ORGANIZATION="100000000/minute",
               ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS=json.dumps(keys), ANNEAL_SECRET_KEY="floor-bench-" + "k" * 40)
    if redis:
        env["REDIS_URL"] = redis
    if variant in ("minimal", "control"):
        env["DJANGO_SETTINGS_MODULE"] = "bench.minimal.settings"
    else:
        env["DJANGO_SETTINGS_MODULE"] = "core.settings"
        if variant == "bare":
            env["ANNEAL_PLUGINS_DISABLED"] = ",".join(sorted(ep.name for ep in metadata.entry_points(group="anneal")))
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MODULES = """
import json, sys
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
WSGIHandler()
import %(urls)s
print(json.dumps(sorted(sys.modules)))
"""


def extra_modules(url: str, data_dir: str, keys: dict[str, str], redis: str | None) -> str:
    """A JSON file naming the modules the licensed product's worker loads and the minimal one does not
    (Anneal's own and Django's contrib apps left out: they need Anneal's settings)."""
    loaded = {}
    for variant, urls in (("minimal", "bench.minimal.urls"), ("licensed", "core.urls")):
        out = subprocess.run([sys.executable, "-c", MODULES % {"urls": urls}], cwd=ROOT, capture_output=True,
                             text=True, env=environment(variant, url, data_dir, keys, redis), check=True)
        loaded[variant] = set(json.loads(out.stdout.strip().splitlines()[-1]))
    own = ("core", "anneal", "django.contrib", "plugins", "bench")
    names = sorted(m for m in loaded["licensed"] - loaded["minimal"] if not m.startswith(own))
    path = Path(data_dir) / "extra-modules.json"
    path.write_text(json.dumps(names))
    return str(path)


class Server:
    def __init__(self, variant: str, env: dict[str, str], workers: int, log: Any) -> None:
        self.variant = variant
        self.port = free_port()
        app = "bench.minimal.wsgi:application" if variant in ("minimal", "control") else "core.wsgi:application"
        if "BENCH_EXTRA_MODULES" in env:
            app = "bench.minimal.wsgi_loaded:application"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--worker-class", "sync", "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
        )
        self.workers = workers
        self.log = log

    def get(self, token: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", PATH, headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wait(self, token: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = self.get(token)
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.variant}: the server did not answer 200 within 60 s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def cpu_seconds(self) -> float:
        """CPU time of the workers so far, in nanoseconds' resolution (``/proc/<pid>/schedstat``)."""
        return sum(int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) for pid in self.worker_pids()) / 1e9

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def rows(server: Server, token: str) -> list[dict[str, Any]]:
    status, body = server.get(token)
    if status != 200:
        raise SystemExit(f"{server.variant}: GET {PATH} answered {status}: {body[:300]!r}")
    return json.loads(body)["results"]


def load(server: Server, token: str, seconds: float, threads: int) -> tuple[float, float, int]:
    """(requests per worker CPU-second, requests per second, errors) of one load period."""
    before = server.cpu_seconds()
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "bench.load", f"http://127.0.0.1:{server.port}{PATH}", token,
                          str(seconds), str(threads)], cwd=ROOT, capture_output=True, text=True, check=True)
    elapsed = time.monotonic() - started
    cpu = server.cpu_seconds() - before
    counts = json.loads(out.stdout)
    return counts["ok"] / cpu, counts["ok"] / elapsed, counts["errors"]


def load_together(servers: list[Server], token: str, seconds: float, threads: int) -> list[tuple[float, float, int]]:
    """``load`` for several servers at once: one load process sends its requests to them in turn."""
    before = [server.cpu_seconds() for server in servers]
    started = time.monotonic()
    urls = ",".join(f"http://127.0.0.1:{server.port}{PATH}" for server in servers)
    out = subprocess.run([sys.executable, "-m", "bench.load", urls, token, str(seconds), str(threads * len(servers))],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    elapsed = time.monotonic() - started
    counts = json.loads(out.stdout)["per_url"]
    return [(c["ok"] / (server.cpu_seconds() - b), c["ok"] / elapsed, c["errors"])
            for server, b, c in zip(servers, before, counts)]


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} (range {min(values):.3f} to {max(values):.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default=None, help="Redis URL for Anneal's cache (default: none)")
    parser.add_argument("--json", action="store_true", help="print every sample as JSON as well")
    parser.add_argument("--control", action="store_true",
                        help="a fourth server, a second copy of the minimal application: its ratio is the noise")
    parser.add_argument("--control-imports", action="store_true",
                        help="the control also imports the modules Anneal's worker loads (implies --control)")
    parser.add_argument("--together", action="store_true",
                        help="load every server at the same time (requests in turn), not one after another")
    args = parser.parse_args()
    variants = VARIANTS + (("control",) if args.control or args.control_imports else ())
    compared = [v for v in variants if v != "minimal"]

    url = database_url()
    data_dir = tempfile.mkdtemp(prefix="anneal-floor-")
    setup_env = environment("licensed", url, data_dir, {}, args.redis)
    setup = subprocess.run([sys.executable, "-c", SETUP % {"slug": SLUG, "projects": PROJECTS}], env=setup_env,
                           cwd=ROOT, capture_output=True, text=True)
    if setup.returncode:
        raise SystemExit(setup.stderr)
    created = json.loads(setup.stdout.strip().splitlines()[-1])
    token, keys = created["token"], created["keys"]

    log = open(Path(data_dir) / "servers.log", "w")  # a failing server's traceback is read from here
    environments = {v: environment(v, url, data_dir, keys, args.redis) for v in variants}
    if args.control_imports:
        environments["control"]["BENCH_EXTRA_MODULES"] = extra_modules(url, data_dir, keys, args.redis)
    servers = {v: Server(v, environments[v], args.workers, log) for v in variants}
    try:
        for server in servers.values():
            server.wait(token)
        expected = rows(servers["minimal"], token)
        assert len(expected) == PROJECTS, f"the minimal application returned {len(expected)} rows"
        for variant in compared:
            got = rows(servers[variant], token)
            assert got == expected, f"{variant} returned other rows than the minimal application"
        print(f"all {len(variants)} servers return the same {PROJECTS} rows")
        for server in servers.values():  # warm every worker (imports, connections, caches)
            load(server, token, 1.0, args.threads)

        samples: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
        for number in range(args.rounds):
            order = variants[number % len(variants):] + variants[:number % len(variants)]
            if args.together:
                measured = zip(order, load_together([servers[v] for v in order], token, args.seconds, args.threads))
            else:
                measured = ((v, load(servers[v], token, args.seconds, args.threads)) for v in order)
            for variant, (per_cpu, per_second, errors) in measured:
                if errors:
                    raise SystemExit(f"{variant}: {errors} requests failed in round {number + 1}")
                samples[variant].append({"per_cpu": per_cpu, "per_second": per_second})
            line = "  ".join(f"{v} {samples[v][-1]['per_cpu']:6.1f}/cpu-s {samples[v][-1]['per_second']:6.1f}/s"
                             for v in variants)
            print(f"round {number + 1}: {line}", flush=True)
    finally:
        for server in servers.values():
            server.stop()

    print(f"\nrequests per worker CPU-second, median of {args.rounds} rounds of {args.seconds:g} s, "
          f"{args.workers} workers each, {args.threads} client threads:")
    for variant in variants:
        print(f"  {variant:9} {summary([s['per_cpu'] for s in samples[variant]])}")
    for variant in compared:
        ratios = [a["per_cpu"] / b["per_cpu"] for a, b in zip(samples[variant], samples["minimal"])]
        wall = [a["per_second"] / b["per_second"] for a, b in zip(samples[variant], samples["minimal"])]
        of_medians = (statistics.median(s["per_cpu"] for s in samples[variant])
                      / statistics.median(s["per_cpu"] for s in samples["minimal"]))
        print(f"ratio {variant:8} / minimal: {summary(ratios)}   ratio of the medians: {of_medians:.3f}   "
              f"wall clock: {summary(wall)}")
    if args.json:
        print(json.dumps(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
