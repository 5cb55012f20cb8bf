"""The air-gapped install: a wheelhouse built by deploy/airgap/build-wheelhouse.sh installs Anneal
into a fresh virtualenv with no package index and no network at all.

One test, in services mode only (the `services` marker): building the wheelhouse downloads every
dependency once and the offline install of about 50 wheels follows (1 to 2 minutes in all on a busy 2-core machine), too slow for the embedded
default run that developers repeat all day; CI runs it in its services pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEPLOY

pytestmark = pytest.mark.services

# Any attempt to reach the network goes to a closed local port and fails.
NO_NETWORK = {
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_NO_INDEX": "1",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
}


def run(command: list[str], env: dict[str, str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_the_wheelhouse_installs_anneal_offline_into_a_fresh_virtualenv(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV"}}
    # A relative directory is taken relative to where the script is called from.
    run([str(DEPLOY / "airgap" / "build-wheelhouse.sh"), "wheelhouse"], {**base_env, "PYTHON": sys.executable}, tmp_path)
    files = list(wheelhouse.iterdir())
    assert files and all(f.name.endswith(".whl") for f in files)
    assert {"anneal", "anneal_enterprise", "anneal_webhooks", "anneal_prompts"} <= {f.name.split("-")[0] for f in files}

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], base_env, tmp_path)
    offline = {**base_env, **NO_NETWORK, "ANNEAL_DATA_DIR": str(tmp_path / "data")}
    run([str(venv / "bin" / "pip"), "install", "--no-index", "--find-links", str(wheelhouse),
         "anneal", "anneal-enterprise", "anneal-webhooks", "anneal-prompts"], offline, tmp_path)
    run([str(venv / "bin" / "pip"), "check"], offline, tmp_path)

    # The installed copy (not this checkout) runs: plugins load, migrations apply.
    plugins = json.loads(run([str(venv / "bin" / "anneal"), "plugins", "--json"], offline, tmp_path).stdout)
    loaded = {row["name"] for row in plugins if row["status"] == "loaded"}
    assert {"enterprise", "webhooks", "prompts"} <= loaded
    run([str(venv / "bin" / "anneal"), "migrate", "--noinput"], offline, tmp_path)
    location = run([str(venv / "bin" / "python"), "-c", "import core; print(core.__file__)"], offline, tmp_path).stdout
    assert str(venv) in location
