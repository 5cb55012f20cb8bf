"""The quickstart's `anneal run`: migrates, creates a first admin, serves on the embedded default."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import wait_for

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_anneal_run_serves_a_working_product_and_prints_the_first_admins_credentials(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(ANNEAL_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    log = tmp_path / "run.log"
    process = subprocess.Popen([sys.executable, "-m", "core.cli", "run", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: "Listening at" in log.read_text() or process.poll() is not None, timeout=90)
        output = log.read_text()
        email = re.search(r"email:\s+(\S+)", output).group(1)
        password = re.search(r"password:\s+(\S+)", output).group(1)

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        assert browser.open(f"{base}/healthz", timeout=10).status == 200
        browser.open(f"{base}/sign-in/", timeout=10)
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"email": email, "password": password, "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(f"{base}/sign-in/", data=form, headers={"Referer": f"{base}/sign-in/"})
        page = browser.open(request, timeout=10).read().decode()
        assert "Organizations" in page and "Sign out" in page
        assert (tmp_path / "anneal.sqlite3").exists()
        assert f'"Change your password" ({base}/password/change/)' in output  # no "account menu"

        # ANNEAL_BASE_URL is not set: links follow the port served on, not a constant 8000.
        assert f"ANNEAL_BASE_URL is not set: links use {base}, the address this server was started on" in output
        jar = http.cookiejar.CookieJar()
        stranger = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        stranger.open(f"{base}/password/reset/", timeout=10)
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"email": email, "csrfmiddlewaretoken": csrf}).encode()
        stranger.open(urllib.request.Request(f"{base}/password/reset/", data=form,
                                            headers={"Referer": f"{base}/password/reset/"}), timeout=10)
        wait_for(lambda: "/password/reset/" in log.read_text().split("Listening at", 1)[1], timeout=30)
        assert f"{base}/password/reset/" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
