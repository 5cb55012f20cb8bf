"""How Anneal scales out on one machine: 1 vs 2 web processes, 1 vs 2 workers, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anneal REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/deploy_scale_out.py [--seconds 4] [--rounds 5] [--clients 8] [--jobs 60]

Uses (and drops first) the database ``<name>_scalebench`` next to the one in DATABASE_URL. Each
web process is gunicorn with the image's settings (deploy/docker/gunicorn.conf.py) at 1 worker
process x 4 threads, so "2 web processes" means twice the processes, as two pods would. Prints
requests per second for an authenticated API call, the PostgreSQL connections held open
afterwards, and the time to drain a batch of short jobs with one and with two workers; ratios
compare the two set-ups measured in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "tests" / "deploy" / "scaleout"


def setup_database() -> tuple[str, str]:
    base = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    name = base.path.lstrip("/") + "_scalebench"
    admin = base._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = base._replace(path=f"/{name}").geturl()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.models import User
    from core.services.tokens import create_token

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE deploy_probe_runs (id serial PRIMARY KEY, job_key text NOT NULL, "
            "phase text NOT NULL, hostname text NOT NULL, pid integer NOT NULL)"
        )
    _, token = create_token(User.objects.create_user("bench@example.com", "bench password 1"), "bench")
    return url, token


def environment(url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, ANNEAL_LOG_LEVEL="WARNING")
    env["PYTHONPATH"] = os.pathsep.join([str(PROBE), str(ROOT)])
    env["ANNEAL_IMAGE_GUNICORN_CONF"] = str(ROOT / "deploy" / "docker" / "gunicorn.conf.py")
    return env


def start_web(env: dict[str, str]) -> tuple[subprocess.Popen, int, socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    sock.set_inheritable(True)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(PROBE / "gunicorn.conf.py"), "--bind", f"fd://{sock.fileno()}",
         "--log-level", "warning", "core.wsgi:application"],
        env=env, cwd=ROOT, pass_fds=(sock.fileno(),), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    port = sock.getsockname()[1]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port, sock
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def load(ports: list[int], token: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", ports[index % len(ports)], timeout=30)
        while time.monotonic() < stop:
            conn.request("GET", "/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def connections_held(name: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        return cursor.fetchone()[0]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def drain(env: dict[str, str], port: int, workers: int, jobs: int) -> float:
    from django.db import connection

    from core.jobs import app

    app.control.purge()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM deploy_probe_runs")
    nodes = [f"bench-{workers}-{n}@{socket.gethostname()}" for n in range(workers)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "core.cli", "worker", "--", "--concurrency=1", "-n", node,
                          "--include=anneal_deploy_probe", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
                         env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for node in nodes
    ]
    try:
        while len(app.control.ping(destination=nodes, timeout=1.0) or []) < workers:
            time.sleep(0.5)
        began = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(jobs):
            body = urllib.parse.urlencode({"key": f"j{n}", "seconds": "0.05"})
            conn.request("POST", "/_probe/enqueue", body, {"Content-Type": "application/x-www-form-urlencoded"})
            conn.getresponse().read()
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM deploy_probe_runs WHERE phase = 'finished'")
                if cursor.fetchone()[0] >= jobs:
                    return time.monotonic() - began
            time.sleep(0.1)
    finally:
        stop(processes)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=60)
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        print("Set DATABASE_URL (PostgreSQL) and REDIS_URL.", file=sys.stderr)
        return 2
    url, token = setup_database()
    env = environment(url)
    name = urllib.parse.urlparse(url).path.lstrip("/")
    print(f"machine: {os.cpu_count()} CPUs; load: {args.clients} client threads, {args.rounds} rounds of {args.seconds:.0f} s per set-up")

    # Both web processes run throughout; "1 web" sends all load to the first, "2 web" spreads it.
    # The two set-ups alternate over several rounds and the medians are compared, because the
    # machine is shared and its speed drifts.
    started = [start_web(env) for _ in range(2)]
    ports = [p for _, p, _ in started]
    rates: dict[int, list[float]] = {1: [], 2: []}
    try:
        load(ports, token, 1.0, args.clients)  # warm up both
        for _ in range(args.rounds):
            for count in (1, 2):
                rates[count].append(load(ports[:count], token, args.seconds, args.clients))
        held = connections_held(name)
    finally:
        stop([proc for proc, _, _ in started])
        for _, _, sock in started:
            sock.close()
    for count in (1, 2):
        print(f"web processes: {count}  requests/s median {statistics.median(rates[count]):7.1f}  "
              f"(rounds: {', '.join(f'{r:.0f}' for r in rates[count])})")
    print(f"ratio 2 web / 1 web (medians): {statistics.median(rates[2]) / statistics.median(rates[1]):.2f}")
    print(f"PostgreSQL connections held by the 2 web processes after load: {held} "
          f"(at most 2 processes x 4 threads = 8)")

    process, port, sock = start_web(env)
    try:
        drained = {workers: drain(env, port, workers, args.jobs) for workers in (1, 2)}
    finally:
        stop([process])
        sock.close()
    for workers, elapsed in drained.items():
        print(f"workers: {workers}  {args.jobs} jobs of 50 ms drained in {elapsed:5.2f} s  ({args.jobs / elapsed:5.1f} jobs/s)")
    print(f"ratio 2 workers / 1 worker (jobs/s): {drained[1] / drained[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
