"""What plugins cost: API throughput and start-up time, with and without trivial plugins.

    .venv/bin/python -m bench.plugin_overhead [--seconds 3] [--rounds 10] [--runs 9]

Both measurements run side by side in one run, alternating between the variants so that
noise from other work on the machine hits both alike:

* API requests per second for ``GET /api/v1/organizations/`` (token authentication), each
  variant served by its own gunicorn (one sync worker, on a free loopback port) and loaded
  from a separate process. Variant A has no plugins; variant B has ten trivial plugins that
  implement every hook the core may call during a request. Prints B/A (goal: >= 0.97) twice:
  from wall-clock requests per second, and from requests per CPU-second of the worker, which
  is what throughput would be on an idle machine and barely moves when other processes
  compete for the cores (the goal is judged on this one).
  A third variant, "enterprise + 10 plugins", is the product as customers run it: the enterprise
  package enabled and licensed (``ANNEAL_LICENSE_KEY``, signed by a throwaway key given in
  ``ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS``) plus the ten trivial plugins; it is checked to load and
  to grant every enterprise feature before the load starts.
  ``--together`` loads the three servers at the same moments instead of one after another (one
  load process sends each connection's requests to them in turn), so a burst of other work on
  the machine slows all three alike.
* Start-up time of ``anneal check`` with twenty trivial plugins installed against none, as
  wall-clock and CPU time. Prints the difference of the medians (goal: at most 50 ms more).

Other plugins installed in the environment (the examples, and enterprise outside its variant)
are disabled with ``ANNEAL_PLUGINS_DISABLED``, so the baseline is the bare core. Everything runs
on the embedded default (SQLite, jobs in-process) in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path

from bench import trivial_plugins

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/organizations/"

SETUP = """
import django
django.setup()
from core.models import Membership, Organization, User
from core.services.tokens import create_token
user = User.objects.create_user("bench@example.com", "bench password 1")
for n in range(5):
    organization = Organization.objects.create(name=f"Bench {n}", slug=f"bench-{n}")
    Membership.objects.create(organization=organization, user=user, role="owner")
print(create_token(user, "bench")[1])
"""


def base_environment(data_dir: Path, site: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "ANNEAL_TRACE_HOOKS"} and not k.startswith("ANNEAL_PLUGINS_")}
    others = sorted(ep.name for ep in metadata.entry_points(group="anneal"))
    if others:
        env["ANNEAL_PLUGINS_DISABLED"] = ",".join(others)
    env["ANNEAL_DATA_DIR"] = str(data_dir)
    env["ANNEAL_LOG_LEVEL"] = "WARNING"
    # The rate limits still run, but none answers 429 under the load (every variant the same).
    env["ANNEAL_API_RATE_PER_TOKEN"] = env["ANNEAL_API_RATE_PER_ORGANIZATION"] = "100000000/minute"
    env["DJANGO_SETTINGS_MODULE"] = "core.settings"
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)] if site else [str(ROOT)])
    return env


def licensed_environment(data_dir: Path, site: Path | None, license_env: dict[str, str]) -> dict[str, str]:
    """The enterprise package enabled and licensed, the other installed plugins disabled."""
    env = base_environment(data_dir, site)
    others = sorted(ep.name for ep in metadata.entry_points(group="anneal") if ep.name != "enterprise")
    env["ANNEAL_PLUGINS_DISABLED"] = ",".join(others)
    env.update(license_env)
    return env


def throwaway_license() -> dict[str, str]:
    """A license key granting every enterprise feature, and the public key that verifies it."""
    from anneal_enterprise.licensing.testing import TestSigner

    signer = TestSigner()
    return {"ANNEAL_LICENSE_KEY": signer.issue(), "ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS": signer.extra_public_keys_json()}


CHECK_LICENSED = """
import django
django.setup()
from anneal_enterprise.licensing import status
from core.plugins import manager
assert any(r.name == "enterprise" and r.ok for r in manager.records()), "enterprise did not load"
status.refresh(force=True)
assert all(status.grants(f) for f in ("sso", "audit_log", "support")), "the license does not grant every feature"
print("licensed")
"""


def anneal(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "core.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)


def check_loaded(env: dict[str, str], expected: int) -> None:
    """Make sure the trivial plugins really load, or the comparison would mean nothing."""
    rows = json.loads(anneal(["plugins", "--json"], env).stdout)
    loaded = [r for r in rows if r["name"].startswith("bench-") and r["status"] == "loaded"]
    if len(loaded) != expected:
        raise RuntimeError(f"expected {expected} trivial plugins loaded, got {len(loaded)}: {rows}")


def prepare_database(data_dir: Path, env: dict[str, str] | None = None) -> str:
    env = env or base_environment(data_dir, None)
    anneal(["migrate", "--no-input"], env)
    result = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def copy_database(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source / "anneal.sqlite3") as src, sqlite3.connect(target / "anneal.sqlite3") as dst:
        src.backup(dst)


class Server:
    """gunicorn with one sync worker on a loopback socket bound to a free port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.socket.set_inheritable(True)
        self.port = self.socket.getsockname()[1]
        fd = self.socket.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "core.wsgi:application", "--bind", f"fd://{fd}",
             "--workers", "1", "--worker-class", "sync", "--log-level", "warning"],
            env=env, cwd=ROOT, pass_fds=(fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time of the (single) worker process so far."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.socket.close()


def load(url: str, token: str, seconds: float, threads: int) -> int:
    """Requests answered with 200 during ``seconds`` of load from a separate process."""
    result = subprocess.run([sys.executable, "-m", "bench.load", url + PATH, token, str(seconds), str(threads)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    counts = json.loads(result.stdout)
    if counts["errors"]:
        raise RuntimeError(f"{counts['errors']} requests failed against {url}")
    return counts["ok"]


def load_together(urls: list[str], tokens: list[str], seconds: float, threads: int) -> list[int]:
    """``load`` for several servers at the same moments: one load process sends to them in turn."""
    result = subprocess.run([sys.executable, "-m", "bench.load", ",".join(url + PATH for url in urls), ",".join(tokens),
                             str(seconds), str(threads * len(urls))], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    counts = json.loads(result.stdout)["per_url"]
    if any(c["errors"] for c in counts):
        raise RuntimeError(f"requests failed: {counts}")
    return [c["ok"] for c in counts]


def api_throughput(work: Path, seconds: float, rounds: int, threads: int, plugins: int,
                   together: bool = False) -> dict[str, object]:
    token = prepare_database(work / "data-none")
    copy_database(work / "data-none", work / "data-ten")
    site = trivial_plugins.install(work / "site-ten", plugins)
    check_loaded(base_environment(work / "data-ten", site), plugins)
    license_env = throwaway_license()
    licensed = licensed_environment(work / "data-licensed", site, license_env)
    (work / "data-licensed").mkdir()
    licensed_token = prepare_database(work / "data-licensed", licensed)
    checked = subprocess.run([sys.executable, "-c", CHECK_LICENSED], env=licensed, cwd=ROOT, capture_output=True,
                             text=True)
    if checked.returncode or "licensed" not in checked.stdout:
        raise RuntimeError(f"the licensed variant is not licensed: {checked.stderr[-2000:]}")
    check_loaded(licensed, plugins)
    servers = {
        "no plugins": Server(base_environment(work / "data-none", None)),
        f"{plugins} plugins": Server(base_environment(work / "data-ten", site)),
        f"enterprise + {plugins} plugins": Server(licensed),
    }
    tokens = {name: (licensed_token if name.startswith("enterprise") else token) for name in servers}
    try:
        names = list(servers)
        for name in names:  # warm up: first requests import and compile lazily
            load(servers[name].url, tokens[name], 1.0, threads)
        samples: dict[str, list[float]] = {name: [] for name in names}
        per_cpu_samples: dict[str, list[float]] = {name: [] for name in names}
        for round_number in range(rounds):
            order = names if round_number % 2 == 0 else list(reversed(names))
            if together:
                before = {name: servers[name].worker_cpu_seconds() for name in order}
                answers = load_together([servers[n].url for n in order], [tokens[n] for n in order], seconds, threads)
                for name, answered in zip(order, answers):
                    per_cpu_samples[name].append(answered / max(servers[name].worker_cpu_seconds() - before[name], 0.01))
                    samples[name].append(answered / seconds)
                continue
            for name in order:
                before = servers[name].worker_cpu_seconds()
                answered = load(servers[name].url, tokens[name], seconds, threads)
                per_cpu_samples[name].append(answered / max(servers[name].worker_cpu_seconds() - before, 0.01))
                samples[name].append(answered / seconds)
    finally:
        for server in servers.values():
            server.stop()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    per_cpu = {name: statistics.median(values) for name, values in per_cpu_samples.items()}
    # Each round measures every variant back to back: the median (and range) of the per-round
    # ratios is less sensitive to the machine's load drifting during the run than a ratio of
    # medians. Requests per CPU-second of the worker: what throughput would be on an idle
    # machine, far less affected by other processes competing for the cores than wall-clock time.
    def paired(values: dict[str, list[float]], name: str) -> list[float]:
        return sorted(b / a for a, b in zip(values[names[0]], values[name]))

    ratios = {name: paired(samples, name) for name in names[1:]}
    cpu_ratios = {name: paired(per_cpu_samples, name) for name in names[1:]}
    return {
        "samples": samples, "medians": medians, "requests_per_cpu_second": per_cpu, "per_cpu_samples": per_cpu_samples,
        "ratios": ratios, "cpu_ratios": cpu_ratios,
    }


def startup(work: Path, runs: int, plugins: int) -> dict[str, object]:
    site = trivial_plugins.install(work / "site-twenty", plugins)
    check_loaded(base_environment(work / "data-none", site), plugins)
    variants = {"no plugins": None, f"{plugins} plugins": site}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    cpu_samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for run in range(runs + 1):
        order = names if run % 2 == 0 else list(reversed(names))
        for name in order:
            env = base_environment(work / "data-none", variants[name])
            cpu_before = _children_cpu()
            started = time.perf_counter()
            anneal(["check"], env)
            elapsed = (time.perf_counter() - started) * 1000
            if run:  # the first run of each warms the file cache
                samples[name].append(elapsed)
                cpu_samples[name].append((_children_cpu() - cpu_before) * 1000)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu_samples.items()}
    return {
        "samples": samples, "medians": medians, "difference_ms": medians[names[1]] - medians[names[0]],
        "cpu_samples": cpu_samples, "cpu_medians": cpu_medians,
        "cpu_difference_ms": cpu_medians[names[1]] - cpu_medians[names[0]],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each load round")
    parser.add_argument("--rounds", type=int, default=10, help="load rounds per variant")
    parser.add_argument("--threads", type=int, default=2, help="concurrent connections of the load process")
    parser.add_argument("--runs", type=int, default=9, help="`anneal check` runs per variant")
    parser.add_argument("--json", action="store_true", help="also print the raw samples as JSON")
    parser.add_argument("--together", action="store_true",
                        help="load the three servers at the same moments (requests in turn), not one after another")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anneal-bench-") as folder:
        work = Path(folder)
        api = api_throughput(work, args.seconds, args.rounds, args.threads, plugins=10, together=args.together)
        start = startup(work, args.runs, plugins=20)
    print(f"API GET {PATH} (gunicorn, 1 sync worker, {args.threads} connections, "
          f"{args.rounds} x {args.seconds:g} s rounds per variant):")
    for name, value in api["medians"].items():
        per_cpu = api["requests_per_cpu_second"][name]
        print(f"  {name:<12} {value:8.1f} requests/s (median)   {per_cpu:8.1f} requests per worker CPU-second")
    for name in api["ratios"]:
        wall, cpu = api["ratios"][name], api["cpu_ratios"][name]
        print(f"  ratio {name} / none, wall clock: median {statistics.median(wall):.3f} "
              f"(range {wall[0]:.3f} to {wall[-1]:.3f})")
        print(f"  ratio {name} / none, per worker CPU-second: median {statistics.median(cpu):.3f} "
              f"(range {cpu[0]:.3f} to {cpu[-1]:.3f})  (goal >= 0.97: "
              f"{'met' if statistics.median(cpu) >= 0.97 else 'MISSED'})")
    print(f"`anneal check` start-up ({args.runs} runs per variant, medians):")
    for name, value in start["medians"].items():
        print(f"  {name:<12} {value:8.1f} ms wall clock   {start['cpu_medians'][name]:8.1f} ms CPU")
    print(f"  20 plugins cost {start['difference_ms']:+.1f} ms wall clock, {start['cpu_difference_ms']:+.1f} ms CPU"
          f"  (goal <= 50 ms, judged on CPU: {'met' if start['cpu_difference_ms'] <= 50 else 'MISSED'})")
    if args.json:
        print(json.dumps({"api": api, "startup": start}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
