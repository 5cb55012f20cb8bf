"""Where one API request's work goes: Python calls, SQL queries and each middleware's share.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anneal .venv/bin/python -m bench.request_profile \\
        [--variant bare|licensed|both] [--requests 300] [--top 25]

Runs ``GET /api/v1/organizations/<slug>/projects/`` (bearer token, 50 projects) through Django's
WSGI handler in this process, without a network, on the database ``<name>_floorprofile`` (dropped
and migrated first). For each variant (``bare``: enterprise and plugins disabled; ``licensed``:
enterprise licensed and the example plugins) it prints, per request:

* the Python function calls (cProfile, exact: does not depend on the machine's load) and the
  functions with the most own time;
* every SQL query with its median time;
* for each middleware, the calls and CPU time the request saves when that middleware alone is
  left out of ``MIDDLEWARE`` (an ablation: medians of alternating samples).

Each variant runs in its own process, since plugins load when settings are read.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
SLUG = "floor"
PATH = f"/api/v1/organizations/{SLUG}/projects/"
# What a token-authenticated API call does not use (sessions, CSRF, the session's user, messages).
BROWSER_ONLY = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionPolicyMiddleware",
    "anneal_enterprise.support.middleware.SupportSessionMiddleware",
}


def prepare(url: str) -> str:
    base = urllib.parse.urlparse(url)
    name = base.path.lstrip("/") + "_floorprofile"
    admin = base._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return base._replace(path=f"/{name}").geturl()


def child(variant: str, requests: int, top: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory, override_settings

    call_command("migrate", verbosity=0)
    from core.models import ApiToken, Membership, Organization, Project, User
    from core.services.tokens import create_token

    if not User.objects.filter(email="floor@example.com").exists():
        user = User.objects.create_user("floor@example.com", "floor password 1")
        organization = Organization.objects.create(name="Floor", slug=SLUG)
        Membership.objects.create(organization=organization, user=user, role="member")
        for n in range(50):
            Project.objects.create(organization=organization, name=f"Project {n:02d}", slug=f"project-{n:02d}")
    user = User.objects.get(email="floor@example.com")
    ApiToken.objects.filter(user=user).delete()
    token = create_token(user, "floor")[1]
    if variant == "licensed":
        from anneal_enterprise.licensing import services, status
        from anneal_enterprise.licensing.testing import TestSigner

        signer = TestSigner()
        settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
        services.install(signer.issue(), source="cli")
        status.refresh(force=True)

    environ = RequestFactory()._base_environ(PATH_INFO=PATH, REQUEST_METHOD="GET",
                                             HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="127.0.0.1")

    def make_call(handler: WSGIHandler) -> Callable[[], None]:
        def call() -> None:
            body = handler(dict(environ), lambda status, headers: None)
            status = body.status_code
            b"".join(body)
            body.close()
            assert status == 200, status
        return call

    handler = WSGIHandler()
    call = make_call(handler)
    for _ in range(20):
        call()

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        call()
    profile.disable()
    stats = pstats.Stats(profile)
    calls = stats.total_calls / requests  # type: ignore[attr-defined]
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    top_text = "\n".join(line for line in out.getvalue().splitlines() if line.strip())

    queries: dict[str, list[float]] = {}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.setdefault(sql, []).append((time.perf_counter() - started) * 1e6)

    with connection.execute_wrapper(timed):
        for _ in range(requests):
            call()
    query_rows = sorted(([len(times) / requests, statistics.median(times), sql] for sql, times in queries.items()),
                        key=lambda row: -row[0] * row[1])

    middleware = list(settings.MIDDLEWARE)
    browser_only = [m for m in middleware if m in BROWSER_ONLY]
    units = {name: [name] for name in middleware}
    units["browser-only group: " + ", ".join(m.rsplit(".", 1)[1] for m in browser_only)] = browser_only
    handlers = {"all": make_call(WSGIHandler())}
    for name, left_out in units.items():
        with override_settings(MIDDLEWARE=[m for m in middleware if m not in left_out]):
            candidate = make_call(WSGIHandler())
            try:
                candidate()  # the chain is built on the first request, under the override
            except Exception:  # another middleware needs this one (authentication needs sessions)
                continue
            handlers[name] = candidate

    def cpu_per_request(call: Callable[[], None], count: int) -> float:
        started = time.process_time()
        for _ in range(count):
            call()
        return (time.process_time() - started) / count * 1e6

    def calls_per_request(call: Callable[[], None], count: int) -> float:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(count):
            call()
        profile.disable()
        return pstats.Stats(profile).total_calls / count  # type: ignore[attr-defined]

    cpu: dict[str, list[float]] = {name: [] for name in handlers}
    for _ in range(7):
        for name, call in handlers.items():
            cpu[name].append(cpu_per_request(call, max(requests // 6, 20)))
    base_cpu = statistics.median(cpu["all"])
    base_calls = calls_per_request(handlers["all"], 50)
    ablation = [[name, base_calls - calls_per_request(handlers[name], 50), base_cpu - statistics.median(cpu[name])]
                if name in handlers else [name, None, None] for name in units]
    return {"variant": variant, "calls": calls, "cpu_us": base_cpu, "queries": query_rows,
            "middleware": ablation, "top": top_text}


def report(result: dict[str, Any]) -> None:
    print(f"\n== {result['variant']}: {result['calls']:.0f} Python calls and "
          f"{sum(r[0] for r in result['queries']):.2f} SQL queries per request, "
          f"{result['cpu_us']:.0f} us CPU per request (in process, no network)")
    print("queries per request (count, median us, SQL):")
    for count, median, sql in result["queries"]:
        print(f"  {count:5.2f} x {median:7.0f} us  {sql[:150]}")
    print("middleware (calls and CPU us saved per request when left out):")
    for name, calls, cpu in result["middleware"]:
        if calls is None:
            print(f"  {'(needed by a later middleware)':>25}  {name}")
        else:
            print(f"  {calls:6.0f} calls {cpu:7.0f} us  {name}")
    print("top functions by own time:")
    print(result["top"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=["bare", "licensed", "both"], default="both")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.variant, args.requests, args.top)))
        return 0
    url = prepare(os.environ["DATABASE_URL"])
    data_dir = tempfile.mkdtemp(prefix="anneal-floor-profile-")
    for variant in (["bare", "licensed"] if args.variant == "both" else [args.variant]):
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"} and not k.startswith("ANNEAL_PLUGINS_")}
        env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="core.settings", ANNEAL_DATA_DIR=data_dir,
                   ANNEAL_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
                   ANNEAL_API_RATE_PER_TOKEN="100000000/minute", ANNEAL_API_RATE_PER_ORGANIZATION="100000000/minute")
        if variant == "bare":
            env["ANNEAL_PLUGINS_DISABLED"] = ",".join(sorted(ep.name for ep in metadata.entry_points(group="anneal")))
        out = subprocess.run([sys.executable, "-m", "bench.request_profile", "--child", "--variant", variant,
                              "--requests", str(args.requests), "--top", str(args.top)],
                             env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr)
        report(json.loads(out.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
