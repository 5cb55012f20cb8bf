"""A change made through one server reaches another server and a Celery worker within 5 seconds.

Services mode only: two separate gunicorn processes and a Celery worker on PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, child_environment, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
FEATURES = "/api/v1/plugins/enterprise/license/features/"
LICENSE = "/api/v1/plugins/enterprise/license/"


@pytest.fixture
def extra_key_environment(monkeypatch, signer):
    """Child processes learn the throwaway public key from the environment."""
    monkeypatch.setenv("ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS", signer.extra_public_keys_json())


def start_server(tmp_path: Path, name: str) -> tuple[subprocess.Popen, str]:
    log = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "core.wsgi:application", "--bind", "127.0.0.1:0",
         "--workers", "1", "--log-level", "info"],
        env=child_environment(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )

    def listening() -> str | None:
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
        return match.group(1) if match else None

    return process, wait_for(listening, timeout=60)


def call(base: str, path: str, token: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(base + path, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_install_and_removal_reach_every_process_within_five_seconds(
        extra_key_environment, celery_worker_process, tmp_path, make_user, signer):
    from anneal_enterprise.licensing.tasks import feature_states
    from core.services.tokens import create_token

    _, token = create_token(make_user(is_staff=True), "propagation")
    servers = [start_server(tmp_path, "a"), start_server(tmp_path, "b")]
    try:
        (_, a), (_, b) = servers
        for base in (a, b):
            assert call(base, FEATURES, token)["sso"] == "unavailable"
        assert feature_states.delay().get(timeout=30)["sso"] == "unavailable"

        call(a, LICENSE, token, "PUT", {"key": signer.issue(license_id="lic_everywhere")})
        installed = time.monotonic()
        wait_for(lambda: call(b, FEATURES, token)["sso"] == "enabled", timeout=5, interval=0.1)
        wait_for(lambda: feature_states.delay().get(timeout=5)["sso"] == "enabled", timeout=5, interval=0.1)
        assert time.monotonic() - installed < 5

        call(b, LICENSE, token, "DELETE")
        removed = time.monotonic()
        wait_for(lambda: call(a, FEATURES, token)["sso"] == "read_only", timeout=5, interval=0.1)
        wait_for(lambda: feature_states.delay().get(timeout=5)["sso"] == "read_only", timeout=5, interval=0.1)
        assert time.monotonic() - removed < 5
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=20)
