"""CPU cost of the plugin machinery per API request, measured in one process.

    .venv/bin/python -m bench.hook_cost [--requests 25] [--rounds 40]

Serves ``GET /api/v1/organizations/`` through Django's test client (no network, no gunicorn)
and alternates between no plugins and ten trivial plugins registered in the same process
(``bench/trivial_plugins.py``), measuring process CPU time. It also counts the Python function
calls per request with ``cProfile``: a number that other load on the machine cannot disturb.
``bench/plugin_overhead.py`` measures the served product.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
import types
from importlib import metadata


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=25, help="requests per sample")
    parser.add_argument("--rounds", type=int, default=40, help="samples per variant")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "REDIS_URL", "ANNEAL_TRACE_HOOKS"):
        os.environ.pop(name, None)
    data_dir = tempfile.mkdtemp(prefix="anneal-bench-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ["ANNEAL_DATA_DIR"] = data_dir
    os.environ["ANNEAL_PLUGINS_DISABLED"] = ",".join(ep.name for ep in metadata.entry_points(group="anneal"))
    os.environ["ANNEAL_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "core.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.trivial_plugins import PER_REQUEST_HOOKS
    from core.models import Membership, Organization, User
    from core.plugins.manager import register_plugin, unregister_plugin
    from core.services.tokens import create_token

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench@example.com", "bench password 1")
    for number in range(5):
        organization = Organization.objects.create(name=f"Bench {number}", slug=f"bench-{number}")
        Membership.objects.create(organization=organization, user=user, role="owner")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'bench')[1]}")
    plugins = []
    for number in range(10):
        module = types.ModuleType(f"anneal_bench_{number}")
        exec(PER_REQUEST_HOOKS, module.__dict__)  # noqa: S102  (our own constant source)
        plugins.append(module)

    def sample() -> float:
        started = time.process_time()
        for _ in range(args.requests):
            assert client.get("/api/v1/organizations/").status_code == 200
        return (time.process_time() - started) / args.requests * 1e6

    for _ in range(50):  # warm up
        client.get("/api/v1/organizations/")
    none, ten = [], []
    for _ in range(args.rounds):
        none.append(sample())
        for number, module in enumerate(plugins):
            register_plugin(module, f"bench-{number}")
        ten.append(sample())
        for number in range(len(plugins)):
            unregister_plugin(f"bench-{number}")
    calls_none = _calls_per_request(client, args.requests)
    policy_none = _policy_call_us(user)
    for number, module in enumerate(plugins):
        register_plugin(module, f"bench-{number}")
    calls_ten = _calls_per_request(client, args.requests)
    policy_ten = _policy_call_us(user)
    a, b = statistics.median(none), statistics.median(ten)
    print(f"CPU per request, GET /api/v1/organizations/ in-process ({args.rounds} x {args.requests} requests, medians):")
    print(f"  no plugins   {a:8.0f} us")
    print(f"  10 plugins   {b:8.0f} us   (+{b - a:.0f} us)")
    print(f"  ratio (requests per CPU-second, 10 plugins / none): {a / b:.3f}")
    print("Python function calls per request (deterministic, unaffected by other load):")
    print(f"  no plugins   {calls_none:8.0f}")
    print(f"  10 plugins   {calls_ten:8.0f}   (+{calls_ten - calls_none:.0f}, ratio {calls_none / calls_ten:.3f})")
    print("One anneal_authentication_policy call through the facade (best of 5 x 20,000):")
    print(f"  no plugins   {policy_none:8.2f} us")
    print(f"  10 plugins   {policy_ten:8.2f} us")
    return 0


def _policy_call_us(user: object) -> float:
    import timeit

    from django.test import RequestFactory

    from core.plugins import hooks

    request = RequestFactory().get("/")
    runs = timeit.repeat(lambda: hooks.authentication_policy(user, "token", request), number=20000, repeat=5)
    return min(runs) / 20000 * 1e6


def _calls_per_request(client: object, requests: int) -> float:
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        client.get("/api/v1/organizations/")  # type: ignore[attr-defined]
    profile.disable()
    return pstats.Stats(profile).total_calls / requests


if __name__ == "__main__":
    sys.exit(main())
