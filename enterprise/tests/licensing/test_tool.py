"""The vendor's issuing tool: signs with a private key from a file or the environment."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from anneal_enterprise.licensing import verify

TOOL = Path(__file__).resolve().parents[2] / "tools" / "issue_license.py"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def generated(tmp_path, settings):
    result = run("generate-key")
    private = tmp_path / "signing.key"
    private.write_text(result.stdout)
    public = result.stderr.strip().rsplit(" ", 1)[-1]
    assert len(base64.b64decode(public)) == 32
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = {"vendor-test": public}
    return private


def test_tool_issues_a_key_that_verifies_with_the_private_key_from_a_file(generated):
    key = run("--key-id", "vendor-test", "--private-key", str(generated), "--licensee", "Tool Corp",
              "--seats", "42", "--feature", "sso", "--days", "30").stdout
    license = verify.verify(key)
    assert (license.claims.licensee, license.claims.seats, license.claims.features) == ("Tool Corp", 42, {"sso"})
    assert license.key_kind == "test"


def test_tool_reads_the_private_key_from_the_environment(generated):
    key = run("--key-id", "vendor-test", "--licensee", "Env Corp", "--seats", "5",
              env={"ANNEAL_LICENSE_SIGNING_KEY": generated.read_text()}).stdout
    assert verify.verify(key).claims.licensee == "Env Corp"


def test_tool_without_a_private_key_says_how_to_give_one():
    result = subprocess.run([sys.executable, str(TOOL), "--key-id", "x", "--licensee", "y", "--seats", "1"],
                            capture_output=True, text=True, env={"PATH": ""})
    assert result.returncode != 0
    assert "--private-key FILE or the ANNEAL_LICENSE_SIGNING_KEY environment variable" in result.stderr


def test_no_private_key_is_shipped_in_the_package():
    package = Path(verify.__file__).parent
    for path in package.rglob("*"):
        if path.is_file() and path.suffix in {".pem", ".key", ".json"}:
            assert "PRIVATE KEY" not in path.read_text(errors="replace"), path
    for pem in (package / "keys").glob("*.pem"):
        serialization.load_pem_public_key(pem.read_bytes())


def test_tool_issues_quotas_that_the_license_carries(generated):
    key = run("--key-id", "vendor-test", "--private-key", str(generated), "--licensee", "Quota Corp", "--seats", "5",
              "--quota", "organizations=3", "--quota", "projects=20",
              "--meter-quota", "webhooks.deliveries=100000").stdout
    claims = verify.verify(key).claims
    assert claims.quotas == {"organizations": 3, "projects": 20}
    assert claims.meter_quotas == {"webhooks.deliveries": 100000}
