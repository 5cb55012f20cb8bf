"""What a feature check costs with a license installed, against the no-plugin default.

    .venv/bin/python bench/license_feature_check.py [--calls 200000] [--rounds 7]

Runs in one process on the embedded default (SQLite in a temporary folder), alternating the
variants each round so that noise hits both alike, and prints medians and ratios:

* ``default``: ``features.has("sso")`` with no ``anneal_feature_enabled`` implementation
  registered (the free edition without the enterprise package): the registered default answers.
* ``licensed``: the enterprise licensing hook registered and a license installed: pluggy calls
  the hook, which reads the cached license (no signature verification) and compares dates.
* ``licensed, per request``: the same inside ``features.request_cache()``, as during a request,
  where only the first check of each feature calls the hook.

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

    implementers = [impl.plugin for impl in plugin_manager.hook.anneal_feature_enabled.get_hookimpls()]
    names = {id(p): plugin_manager.get_name(p) for p in implementers}

    def without_plugins() -> None:
        for plugin in implementers:
            plugin_manager.unregister(plugin)

    def with_plugins() -> None:
        for plugin in implementers:
            if not plugin_manager.is_registered(plugin):
                plugin_manager.register(plugin, name=names[id(plugin)])

    def check() -> bool:
        return features.has("sso")

    def per_request() -> bool:
        with features.request_cache():
            return features.has("sso") and features.has("sso") and features.has("sso")

    results: dict[str, list[float]] = {"default": [], "licensed": [], "per_request_default": [], "per_request": []}
    for _ in range(args.rounds):
        without_plugins()
        assert check() is False
        results["default"].append(per_call_ns(check, args.calls))
        results["per_request_default"].append(per_call_ns(per_request, args.calls // 4))
        with_plugins()
        assert check() is True
        results["licensed"].append(per_call_ns(check, args.calls))
        results["per_request"].append(per_call_ns(per_request, args.calls // 4))

    median = {name: statistics.median(values) for name, values in results.items()}
    refresh_ns = statistics.median(per_call_ns(lambda: status.refresh(), 1) for _ in range(200))
    verify_ns = statistics.median(per_call_ns(lambda: status.refresh(force=True), 1) for _ in range(50))
    print(f"feature check, no-plugin default:          {median['default']:8.0f} ns")
    print(f"feature check, license installed:          {median['licensed']:8.0f} ns   "
          f"ratio {median['licensed'] / median['default']:.2f}")
    print(f"request with 3 checks, no-plugin default:  {median['per_request_default']:8.0f} ns")
    print(f"request with 3 checks, license installed:  {median['per_request']:8.0f} ns   "
          f"ratio {median['per_request'] / median['per_request_default']:.2f}")
    print(f"license version check (once per second):   {refresh_ns / 1000:8.1f} us")
    print(f"reload and verify (once per change):       {verify_ns / 1000:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
