"""What MFA adds to sign-in and to every signed-in request.

    .venv/bin/python bench/mfa_sign_in.py [--rounds 7] [--requests 300]

Runs in one process on the embedded default (SQLite in a temporary folder, the MD5 password
hasher so that password hashing, which MFA does not change, does not drown the difference),
alternating the variants each round, and prints medians and database queries:

* ``GET /profile/`` signed in, with and without ``core.mfa.middleware.EnrollmentRequiredMiddleware``
  (the only MFA code on every request);
* a password sign-in of someone without a second factor (one request), against the password
  step plus the authenticator-app step of someone with one (two requests).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.embedded import setup_embedded  # noqa: E402
PASSWORD = "correct horse battery"


def setup() -> None:
    setup_embedded("anneal-bench-mfa-")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from core.mfa import clock, totp
    from core.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANNEAL_SIGN_IN_MAX_FAILURES = 10**9
    plain = User.objects.create_user("plain@example.com", PASSWORD)
    with_totp = User.objects.create_user("totp@example.com", PASSWORD)
    secret = totp.start_enrollment(with_totp).secret
    fake = [2_000_000_000.0]
    clock.now = lambda: fake[0]
    totp.confirm_enrollment(with_totp, totp.code_at(secret, int(fake[0] // 30)))
    without_middleware = [m for m in settings.MIDDLEWARE if not m.startswith("core.mfa.")]

    def page(client: Client) -> None:
        assert client.get("/profile/").status_code == 200

    def sign_in_plain() -> None:
        client = Client()
        assert client.post("/sign-in/", {"email": plain.email, "password": PASSWORD}).status_code == 302

    def sign_in_totp() -> None:
        client = Client()
        client.post("/sign-in/", {"email": with_totp.email, "password": PASSWORD})
        fake[0] += 30
        response = client.post("/sign-in/verify/", {"factor": "totp", "code": totp.code_at(secret, int(fake[0] // 30))})
        assert response.status_code == 302 and response["Location"] == "/", response.content[:300]

    with override_settings(MIDDLEWARE=without_middleware):
        bare = Client()
        bare.force_login(plain)
        page(bare)
    full = Client()
    full.force_login(plain)
    page(full)

    def timed(function, n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            function()
        return (time.perf_counter() - started) / n * 1e6

    # Each test client builds its middleware chain at its first request (above) and keeps it.
    def bare_page() -> None:
        page(bare)

    def full_page() -> None:
        page(full)

    results: dict[str, list[float]] = {k: [] for k in ("page_without", "page_with", "plain", "totp")}
    for _ in range(args.rounds):
        results["page_without"].append(timed(bare_page, args.requests))
        results["page_with"].append(timed(full_page, args.requests))
        results["plain"].append(timed(sign_in_plain, args.requests // 10))
        results["totp"].append(timed(sign_in_totp, args.requests // 10))
    queries = {}
    for name, function in (("page_without", bare_page), ("page_with", full_page),
                           ("plain", sign_in_plain), ("totp", sign_in_totp)):
        with CaptureQueriesContext(connection) as captured:
            function()
        queries[name] = len(captured)
    medians = {name: statistics.median(values) for name, values in results.items()}
    print("| measurement | median | queries |\n|---|---|---|")
    labels = {"page_without": "GET /profile/ without the MFA middleware", "page_with": "GET /profile/ with it",
              "plain": "password sign-in, no second factor (1 request)",
              "totp": "password + authenticator app sign-in (2 requests)"}
    for name, label in labels.items():
        print(f"| {label} | {medians[name]:.0f} µs | {queries[name]} |")
    print(f"\nmiddleware overhead per request: {medians['page_with'] - medians['page_without']:+.0f} µs "
          f"(ratio {medians['page_with'] / medians['page_without']:.3f}); second step: "
          f"{medians['totp'] / medians['plain']:.2f}x the password-only sign-in")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
