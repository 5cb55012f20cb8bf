"""Scale-out: the real topology as processes on this machine, on PostgreSQL and Redis.

Started through the image's entry point (deploy/docker/entrypoint.sh), as containers would be:
two gunicorn web processes (the image's gunicorn settings, each on its own free port), two
Celery workers (`anneal worker`) and `anneal beat`. Requests go to both web processes, jobs are
enqueued through both and each runs exactly once, and a job whose worker process is killed
(SIGKILL) mid-run is finished by the other worker.

A probe (tests/deploy/scaleout/anneal_deploy_probe.py) adds a page that enqueues jobs, wrapped
around Anneal's WSGI application by the test's gunicorn settings, and the job that records its
runs, loaded by the workers with Celery's --include.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from anneal_enterprise.licensing.testing import TestSigner
from conftest import ROOT, SERVICES, child_environment, wait_for

from .conftest import DEPLOY

LICENSE_SIGNER = TestSigner()  # its public key is given to every process of the topology

pytestmark = pytest.mark.services

SCALEOUT = Path(__file__).resolve().parent / "scaleout"
QUEUE = "anneal"
# Every process starts through the image's entry point, as in a container.
ENTRYPOINT = ["sh", str(DEPLOY / "docker" / "entrypoint.sh")]


@dataclass
class Topology:
    web_urls: list[str]
    workers: dict[str, subprocess.Popen]  # Celery node name -> `anneal worker` process
    beat: subprocess.Popen
    logs: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))


def listening_socket() -> socket.socket:
    """A socket bound to a free loopback port, handed to gunicorn as fd://N (no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def http(method: str, url: str, data: dict[str, str] | None = None, token: str | None = None) -> tuple[int, Any]:
    import json

    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def answers(url: str) -> bool:
    try:
        return http("GET", url)[0] == 200
    except OSError:
        return False


def runs() -> list[tuple[str, str, str, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT job_key, phase, hostname, pid FROM deploy_probe_runs ORDER BY id")
        return list(cursor.fetchall())


@pytest.fixture(scope="module")
def topology(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Topology]:
    if not SERVICES:
        pytest.skip("needs DATABASE_URL and REDIS_URL")
    from core.jobs import app

    logs = tmp_path_factory.mktemp("scaleout")
    with django_db_blocker.unblock():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS deploy_probe_runs (id serial PRIMARY KEY, job_key text NOT NULL, "
                "phase text NOT NULL, hostname text NOT NULL, pid integer NOT NULL)"
            )
        env = child_environment(
            PYTHONPATH=os.pathsep.join([str(SCALEOUT), str(ROOT)]),
            ANNEAL_IMAGE_GUNICORN_CONF=str(DEPLOY / "docker" / "gunicorn.conf.py"),
            ANNEAL_DATA_DIR=str(logs),
            ANNEAL_GUNICORN_CONFIG=str(SCALEOUT / "gunicorn.conf.py"),
            PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
            ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS=LICENSE_SIGNER.extra_public_keys_json(),
        )
    app.control.purge()

    processes: list[subprocess.Popen] = []

    def start(name: str, command: list[str], **kwargs: Any) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "w")
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, **kwargs)
        processes.append(process)
        return process

    web_urls, sockets = [], []
    for letter in "ab":
        sock = listening_socket()
        sockets.append(sock)
        web_urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}")
        start(f"web-{letter}", [*ENTRYPOINT, "web", "--bind", f"fd://{sock.fileno()}"], pass_fds=(sock.fileno(),))
    workers = {}
    for letter in "ab":
        node = f"deploy-{letter}-{os.getpid()}@{socket.gethostname()}"
        workers[node] = start(f"worker-{letter}", [
            *ENTRYPOINT, "worker", "--",
            "--concurrency=1", "--pool=prefork", "-n", node, "--include=anneal_deploy_probe", "--without-gossip",
        ])
    beat = start("beat", [*ENTRYPOINT, "beat"])
    topology = Topology(web_urls, workers, beat, logs, processes)
    try:
        for url in web_urls:
            wait_for(lambda url=url: answers(f"{url}/healthz") or any(p.poll() is not None for p in processes), timeout=90)
            assert all(p.poll() is None for p in processes), "a process of the topology exited"
        wait_for(lambda: len(app.control.ping(destination=list(workers), timeout=1.0) or []) == 2, timeout=90)
        yield topology
    except Exception:
        print(topology.log_tail())
        raise
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for sock in sockets:
            sock.close()
        with django_db_blocker.unblock():
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS deploy_probe_runs")


@pytest.fixture
def clean_runs(topology: Topology, transactional_db: None) -> Topology:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM deploy_probe_runs")
    return topology


def test_both_web_processes_are_live_and_ready_on_the_shared_services(topology: Topology) -> None:
    for url in topology.web_urls:
        status, body = http("GET", f"{url}/readyz")
        assert status == 200, body
        assert set(body["checks"]) >= {"database", "migrations", "cache", "broker"}
        check = subprocess.run([sys.executable, str(DEPLOY / "docker" / "healthcheck.py")],
                               env={**os.environ, "ANNEAL_HEALTHCHECK_URL": f"{url}/healthz"}, timeout=30)
        assert check.returncode == 0


def test_what_one_web_process_writes_the_other_serves(topology: Topology, transactional_db: None, make_user: Any) -> None:
    from core.services.tokens import create_token

    _, token = create_token(make_user("scale@example.com"), "scale-out")
    first, second = topology.web_urls
    status, created = http("POST", f"{first}/api/v1/organizations/", {"name": "Scaled Out"}, token=token)
    assert status == 201, created
    status, listed = http("GET", f"{second}/api/v1/organizations/", token=token)
    assert status == 200, listed
    assert [o["slug"] for o in listed["results"]] == [created["slug"]]
    for _ in range(10):  # steady traffic on both keeps answering
        for url in topology.web_urls:
            assert http("GET", f"{url}/api/v1/me/", token=token)[0] == 200


def test_license_installed_through_one_web_process_is_seen_by_the_other(
    topology: Topology, transactional_db: None, make_user: Any
) -> None:
    from core.services.tokens import create_token

    _, token = create_token(make_user("license-admin@example.com", is_staff=True), "scale-out license")
    first, second = topology.web_urls
    status, body = http("GET", f"{second}/api/v1/plugins/enterprise/license/features/", token=token)
    assert status == 200 and body["sso"] != "enabled", body
    key = LICENSE_SIGNER.issue(features=["sso", "audit_log", "support"])
    status, body = http("POST", f"{first}/api/v1/plugins/enterprise/license/", {"key": key}, token=token)
    assert status in (200, 201), body
    started = time.monotonic()
    wait_for(lambda: http("GET", f"{second}/api/v1/plugins/enterprise/license/features/", token=token)[1]
             .get("sso") == "enabled", timeout=5)
    assert time.monotonic() - started <= 5
    status, _ = http("DELETE", f"{first}/api/v1/plugins/enterprise/license/", token=token)
    assert status in (200, 204)


def test_jobs_enqueued_through_both_web_processes_each_run_exactly_once(clean_runs: Topology) -> None:
    keys = [f"job-{n}" for n in range(12)]
    served_by = set()
    for n, key in enumerate(keys):
        status, body = http("POST", f"{clean_runs.web_urls[n % 2]}/_probe/enqueue", {"key": key, "seconds": "0.2"})
        assert status == 200, body
        served_by.add(body["web_pid"])

    wait_for(lambda: sum(1 for r in runs() if r[1] == "finished") >= len(keys), timeout=120)

    assert len(served_by) == 2
    rows = runs()
    assert Counter(r[0] for r in rows if r[1] == "started") == {key: 1 for key in keys}
    assert Counter(r[0] for r in rows if r[1] == "finished") == {key: 1 for key in keys}
    assert {r[2] for r in rows} == set(clean_runs.workers), "both workers should have taken jobs"


def test_a_job_whose_worker_is_killed_mid_run_is_finished_by_the_other_worker(clean_runs: Topology) -> None:
    from core.jobs import app

    status, body = http("POST", f"{clean_runs.web_urls[0]}/_probe/enqueue", {"key": "long", "seconds": "6"})
    assert status == 200, body
    started = wait_for(lambda: [r for r in runs() if r[0] == "long" and r[1] == "started"], timeout=60)[0]
    victim, job_pid = started[2], started[3]
    survivor = next(node for node in clean_runs.workers if node != victim)

    # The victim takes no new work (as a node being replaced would), then its job process dies.
    app.control.cancel_consumer(QUEUE, destination=[victim], reply=True, timeout=5)
    os.kill(job_pid, signal.SIGKILL)

    finished = wait_for(lambda: [r for r in runs() if r[0] == "long" and r[1] == "finished"], timeout=90)
    assert [r[2] for r in finished] == [survivor]
    assert [r[2] for r in runs() if r[0] == "long" and r[1] == "started"] == [victim, survivor]
    clean_runs.workers[victim].send_signal(signal.SIGKILL)  # and the victim node is gone for good
    clean_runs.workers[victim].wait(timeout=20)


def test_beat_runs_next_to_the_workers(topology: Topology) -> None:
    assert topology.beat.poll() is None, topology.log_tail()
    wait_for(lambda: "beat: Starting" in (topology.logs / "beat.log").read_text(), timeout=30)
