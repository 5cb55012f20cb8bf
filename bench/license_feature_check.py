"""What a feature check costs with a license installed, against the no-plugin default.

    .venv/bin/python bench/license_feature_check.py [--calls 200000] [--rounds 7]

Runs in one process on the embedded default (SQLite in a temporary folder), alternating the
variants each round so that noise hits both alike, and prints medians and ratios:

* ``default``: ``features.has("sso")`` with no ``anneal_feature_enabled`` implementation
  registered (the free edition without the enterprise package): the registered default answers.
* ``licensed``: the enterprise licensing hook registered and a license installed. The core
  answers from its process cache (``core.features``); the hook (pluggy, the cached license,
  a date comparison) runs when the cache is refilled: at most once a second, when the
  licensing package's declared lifetime (its next license version check) ends.
* ``licensed, per request``: three checks inside ``features.request_cache()``, as during a request.

Each variant asserts what it ran: the answer (``False`` free, ``True`` licensed) and how many
times the license's entitlement check was called (never in the default variant). Ratios are
per round (licensed / default in the same round); the median and range are printed.

It also times the once-per-second license version check and a full re-verification (done once
per license change). Other installed plugins are disabled so that only the enterprise package
answers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    data_dir = tempfile.mkdtemp(prefix="anneal-bench-license-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["ANNEAL_DATA_DIR"] = data_dir
    others = [ep.name for ep in metadata.entry_points(group="anneal") if ep.name != "enterprise"]
    os.environ["ANNEAL_PLUGINS_DISABLED"] = ",".join(others)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def per_call_ns(function, calls: int) -> float:
    started = time.perf_counter_ns()
    for _ in range(calls):
        function()
    return (time.perf_counter_ns() - started) / calls


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    setup()

    from django.conf import settings

    from anneal_enterprise.licensing import services, status
    from anneal_enterprise.licensing.testing import TestSigner
    from core import features
    from core.plugins.manager import plugin_manager

    signer = TestSigner()
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
    key = signer.issue()
    services.install(key, source="cli")
    status.refresh(force=True)

    from core.plugins import manager

    implementers = [impl.plugin for impl in plugin_manager.hook.anneal_feature_enabled.get_hookimpls()]
    names = {id(p): plugin_manager.get_name(p) for p in implementers}
    assert implementers, "the enterprise licensing hook is not registered"
    grants_calls = [0]
    real_grants = status.grants

    def counting_grants(feature: str) -> bool:
        grants_calls[0] += 1
        return real_grants(feature)

    status.grants = counting_grants  # the hook calls status.grants(name): count it

    def without_plugins() -> None:
        for plugin in implementers:
            plugin_manager.unregister(plugin)
        manager._state["generation"] += 1  # as manager.unregister_plugin does

    def with_plugins() -> None:
        for plugin in implementers:
            if not plugin_manager.is_registered(plugin):
                plugin_manager.register(plugin, name=names[id(plugin)])
        manager._state["generation"] += 1

    def check() -> bool:
        return features.has("sso")

    def per_request() -> bool:
        with features.request_cache():
            return features.has("sso") and features.has("sso") and features.has("sso")

    def measured(name: str, function, calls: int, expected: bool) -> None:
        grants_calls[0] = 0
        assert function() is expected, f"{name}: expected {expected}"
        started = time.monotonic()
        results[name].append(per_call_ns(function, calls))
        hook_calls[name].append((grants_calls[0], time.monotonic() - started))

    results: dict[str, list[float]] = {"default": [], "licensed": [], "per_request_default": [], "per_request": []}
    hook_calls: dict[str, list[tuple[int, float]]] = {name: [] for name in results}
    for _ in range(args.rounds):
        without_plugins()
        measured("default", check, args.calls, False)
        measured("per_request_default", per_request, args.calls // 4, False)
        with_plugins()
        measured("licensed", check, args.calls, True)
        measured("per_request", per_request, args.calls // 4, True)
    for name in ("default", "per_request_default"):
        assert all(calls == 0 for calls, _ in hook_calls[name]), f"{name} called the license check"
    for name in ("licensed", "per_request"):
        for calls, seconds in hook_calls[name]:  # the first call after the plugin change; then once per refill
            assert (1 if name == "licensed" else 0) <= calls <= seconds / status.REFRESH_SECONDS + 2, (name, calls)

    def ratio(top: str, bottom: str) -> str:
        ratios = sorted(a / b for a, b in zip(results[top], results[bottom]))
        return f"ratio median {statistics.median(ratios):.2f} (range {ratios[0]:.2f} to {ratios[-1]:.2f})"

    median = {name: statistics.median(values) for name, values in results.items()}
    status.grants = real_grants
    refresh_ns = statistics.median(per_call_ns(lambda: status.refresh(), 1) for _ in range(200))
    verify_ns = statistics.median(per_call_ns(lambda: status.refresh(force=True), 1) for _ in range(50))
    print(f"feature check, no-plugin default:          {median['default']:8.0f} ns")
    print(f"feature check, license installed:          {median['licensed']:8.0f} ns   "
          f"{ratio('licensed', 'default')}")
    print(f"request with 3 checks, no-plugin default:  {median['per_request_default']:8.0f} ns")
    print(f"request with 3 checks, license installed:  {median['per_request']:8.0f} ns   "
          f"{ratio('per_request', 'per_request_default')}")
    print("license checks (hook calls) per licensed round: "
          + ", ".join(str(calls) for calls, _ in hook_calls["licensed"]))
    print(f"license version check (once per second):   {refresh_ns / 1000:8.1f} us")
    print(f"reload and verify (once per change):       {verify_ns / 1000:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
