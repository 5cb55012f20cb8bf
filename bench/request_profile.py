"""Where one API request's work goes: Python calls, SQL queries and each middleware's share.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anneal .venv/bin/python -m bench.request_profile \\
        [--variant minimal|bare|licensed|all] [--requests 300] [--top 25]

Runs ``GET /api/v1/organizations/<slug>/projects/`` (bearer token, 50 projects) through Django's
WSGI handler in this process, without a network, on the database ``<name>_floorprofile`` (dropped
and migrated first). For each variant (``bare``: enterprise and plugins disabled; ``licensed``:
enterprise licensed and the example plugins) it prints, per request:

* the Python function calls (``sys.setprofile`` call events, C builtins not counted: exact, it
  does not depend on the machine's load) and, from cProfile, the functions with the most own time;
* every SQL query with its median time;
* for each middleware, the Python calls the request saves when that middleware alone is left out
  of ``MIDDLEWARE`` (an ablation), and for the group a token-authenticated call does not use.

``minimal`` (``bench/minimal``, the floor of ``bench/request_floor.py``) is profiled the same way.

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
# What a token-authenticated API call does not use (sessions, CSRF, the session's user, messages,
# the session policy, MFA enrollment, support sessions).
BROWSER_ONLY = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionPolicyMiddleware",
    "core.mfa.middleware.EnrollmentRequiredMiddleware",
    "anneal_enterprise.support.middleware.SupportSessionMiddleware",
}


def prepare(url: str) -> str:
    base = urllib.parse.urlparse(url)
    name = base.path.lstrip("/") + "_floorprofile"
    admin = base._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return base._replace(path=f"/{name}").geturl()


def child(variant: str, requests: int, top: int, token: str | None) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory, override_settings

    if variant != "minimal":
        token = prepare_rows(variant, token)
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

    call = make_call(WSGIHandler())
    for _ in range(20):
        call()

    def calls_per_request(call: Callable[[], None], count: int) -> float:
        """Python function calls (not C builtins) per request: exact, whatever the machine's load."""
        calls = 0

        def counter(frame: Any, event: str, arg: Any) -> None:
            nonlocal calls
            if event == "call":
                calls += 1

        sys.setprofile(counter)
        try:
            for _ in range(count):
                call()
        finally:
            sys.setprofile(None)
        return calls / count

    started = time.process_time()
    for _ in range(requests):
        call()
    cpu_us = (time.process_time() - started) / requests * 1e6
    def steady_calls(call: Callable[[], None]) -> float:
        """The fewest calls per request over a few samples: leaves out the enterprise license's
        version check, which runs at most once a second in whichever request that second falls."""
        return min(calls_per_request(call, 5) for _ in range(5))

    calls = steady_calls(call)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        call()
    profile.disable()
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

    costs = lookup_costs(variant, token, calls_per_request) if variant != "minimal" else {}

    middleware = list(settings.MIDDLEWARE)
    browser_only = [m for m in middleware if m in BROWSER_ONLY]
    units = {name: [name] for name in middleware}
    if browser_only:
        units["browser-only group: " + ", ".join(m.rsplit(".", 1)[1] for m in browser_only)] = browser_only
    ablation = []
    for name, left_out in units.items():
        with override_settings(MIDDLEWARE=[m for m in middleware if m not in left_out]):
            candidate = make_call(WSGIHandler())
            try:
                candidate()  # the chain is built on the first request, under the override
            except Exception:  # another middleware needs this one (authentication needs sessions)
                ablation.append([name, None])
                continue
            ablation.append([name, calls - steady_calls(candidate)])
    return {"variant": variant, "calls": calls, "cpu_us": cpu_us, "queries": query_rows,
            "middleware": ablation, "top": top_text, "token": token, "costs": costs}


def lookup_costs(variant: str, token: str, calls_of: Callable[[Callable[[], None], int], float]) -> dict[str, float]:
    """Python calls of each database lookup the request makes, run alone (query building, the
    round trip's Python side, model instances)."""
    from core import access
    from core.models import Organization, Project, User
    from core.services.tokens import authenticate_token

    user = User.objects.get(email="floor@example.com")
    organization = Organization.objects.get(slug=SLUG)

    def fresh_user_lookup() -> None:
        access.get_organization(User.objects.get(pk=user.pk), SLUG)

    costs = {
        "token and its user (authenticate_token)": calls_of(lambda: authenticate_token(token), 20),
        "organization and role (access.get_organization)": calls_of(fresh_user_lookup, 20)
        - calls_of(lambda: User.objects.get(pk=user.pk), 20),
        "page of 50 projects (rows only)": calls_of(
            lambda: list(Project.objects.filter(organization=organization)[:50]), 20),
    }
    if variant == "licensed":
        from anneal_enterprise.sso.policy import enforcing_settings

        costs["SSO settings of the user's organizations (enforcing_settings)"] = calls_of(
            lambda: enforcing_settings(user), 20)
    return costs


def prepare_rows(variant: str, token: str | None) -> str:
    from django.conf import settings
    from django.core.management import call_command

    from core.models import Membership, Organization, Project, User
    from core.services.tokens import create_token

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email="floor@example.com").exists():
        user = User.objects.create_user("floor@example.com", "floor password 1")
        organization = Organization.objects.create(name="Floor", slug=SLUG)
        Membership.objects.create(organization=organization, user=user, role="member")
        for n in range(50):
            Project.objects.create(organization=organization, name=f"Project {n:02d}", slug=f"project-{n:02d}")
    if token is None:
        token = create_token(User.objects.get(email="floor@example.com"), "floor")[1]
    if variant == "licensed":
        from anneal_enterprise.licensing import services, status
        from anneal_enterprise.licensing.testing import TestSigner

        signer = TestSigner()
        settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
        services.install(signer.issue(), source="cli")
        status.refresh(force=True)
    return token


def report(result: dict[str, Any]) -> None:
    print(f"\n== {result['variant']}: {result['calls']:.0f} Python calls and "
          f"{sum(r[0] for r in result['queries']):.2f} SQL queries per request, "
          f"{result['cpu_us']:.0f} us CPU per request (in process, no network)")
    print("queries per request (count, median us, SQL):")
    for count, median, sql in result["queries"]:
        print(f"  {count:5.2f} x {median:7.0f} us  {sql[:150]}")
    if result["costs"]:
        print("Python calls of each lookup, run alone:")
        for name, calls in result["costs"].items():
            print(f"  {calls:6.0f}  {name}")
    print("middleware (Python calls saved per request when left out):")
    for name, calls in result["middleware"]:
        print(f"  {'needed by another' if calls is None else format(calls, '6.0f'):>17}  {name}")
    print("top functions by own time:")
    print(result["top"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=["minimal", "bare", "licensed", "all"], default="all")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--token", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.variant, args.requests, args.top, args.token)))
        return 0
    url = prepare(os.environ["DATABASE_URL"])
    data_dir = tempfile.mkdtemp(prefix="anneal-floor-profile-")
    token = None
    variants = ["bare", "licensed", "minimal"] if args.variant == "all" else [args.variant]
    if variants == ["minimal"]:
        variants = ["bare", "minimal"]  # the bare core creates the rows and the token
    for variant in variants:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"} and not k.startswith("ANNEAL_PLUGINS_")}
        settings_module = "bench.minimal.settings" if variant == "minimal" else "core.settings"
        env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE=settings_module, ANNEAL_DATA_DIR=data_dir,
                   ANNEAL_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
                   ANNEAL_API_RATE_PER_TOKEN="100000000/minute", ANNEAL_API_RATE_PER_ORGANIZATION="100000000/minute")
        if variant == "bare":
            env["ANNEAL_PLUGINS_DISABLED"] = ",".join(sorted(ep.name for ep in metadata.entry_points(group="anneal")))
        out = subprocess.run([sys.executable, "-m", "bench.request_profile", "--child", "--variant", variant,
                              "--requests", str(args.requests), "--top", str(args.top),
                              *(["--token", token] if token else [])],
                             env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        token = result["token"]
        report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
