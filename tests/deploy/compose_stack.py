"""The real compose file, run on the private engine with a test override: host networking only.

The override (``docker-compose.test.yml``, written next to a copy of ``deploy/compose``) changes
only what a test machine needs: every service on the host network with its own free port on
127.0.0.1 (the host's own PostgreSQL and Redis keep 5432 and 6379), PostgreSQL and Redis images
built from Debian packages (there is no Docker Hub), and DATABASE_URL and REDIS_URL pointing at
127.0.0.1. Compose v1 cannot remove a published port in an override, and a container on the host
network publishes none (Docker refuses the combination), so the stack runs from the merged
configuration (``docker-compose config`` of the real file plus the override) with web's ``ports``
left out; nothing else is changed. The admin's part is done as documented: ``.env`` from ``.env.example``, the license
file in ``license/``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .docker_engine import ANNEAL_IMAGE, COMPOSE, POSTGRES_IMAGE, REDIS_IMAGE, Engine

HOST = "anneal.test"
RENDERED = "docker-compose.rendered.yml"
# The compose test's settings; the Helm test (test_helm_matches_compose.py) renders the chart with them.
STACK_SETTINGS = {
    "ANNEAL_BASE_URL": f"https://{HOST}",
    "ANNEAL_ALLOWED_HOSTS": f"{HOST},localhost",
    "ANNEAL_WEB_WORKERS": "1",
    "ANNEAL_WORKER_CONCURRENCY": "1",
}
LICENSE_FILE = "/etc/anneal/license/license.key"
OVERRIDE = """\
x-anneal-host: &anneal-host
  network_mode: host
  environment:
    DATABASE_URL: postgres://anneal:${{POSTGRES_PASSWORD}}@127.0.0.1:{postgres}/anneal
    REDIS_URL: redis://127.0.0.1:{redis}/0

services:
  postgres:
    image: {postgres_image}
    network_mode: host
    environment:
      PGPORT: "{postgres}"
  redis:
    image: {redis_image}
    network_mode: host
    command: ["redis-server", "--appendonly", "yes", "--bind", "127.0.0.1", "--port", "{redis}"]
    healthcheck:
      test: ["CMD", "redis-cli", "-p", "{redis}", "ping"]
  migrate: *anneal-host
  web:
    <<: *anneal-host
    command: ["web", "--bind", "127.0.0.1:{web}"]
    # The same check as the compose file's, every 3 s instead of 15 s: the test waits less.
    healthcheck:
      interval: 3s
  worker: *anneal-host
  beat: *anneal-host
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Ports:
    postgres: int = field(default_factory=free_port)
    redis: int = field(default_factory=free_port)
    web: int = field(default_factory=free_port)


def prepare(source: Path, target: Path, ports: Ports, settings: dict[str, str], image: str = ANNEAL_IMAGE,
            postgres_image: str = POSTGRES_IMAGE, redis_image: str = REDIS_IMAGE) -> Path:
    """A compose directory as an admin prepares it, plus the test override. Returns the directory."""
    shutil.copytree(source, target)
    env = (target / ".env.example").read_text()
    values = {
        "ANNEAL_SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        **STACK_SETTINGS,
        "ANNEAL_IMAGE": image,
        "ANNEAL_PORT": str(ports.web),
        "ANNEAL_HTTP_PORT": str(ports.web),
        **settings,
    }
    for name, value in values.items():
        env, count = re.subn(rf"(?m)^#? ?{name}=.*$", lambda _m: f"{name}={value}", env, count=1)
        if not count:
            env += f"\n{name}={value}\n"
    (target / ".env").write_text(env)
    (target / "docker-compose.test.yml").write_text(OVERRIDE.format(
        postgres=ports.postgres, redis=ports.redis, web=ports.web, postgres_image=postgres_image,
        redis_image=redis_image,
    ))
    merged = subprocess.run(
        [COMPOSE, "--project-directory", str(target), "-f", str(target / "docker-compose.yml"),
         "-f", str(target / "docker-compose.test.yml"), "config"],
        capture_output=True, text=True, cwd=target, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "COMPOSE_"))},
    )
    assert merged.returncode == 0, merged.stderr
    config = yaml.safe_load(merged.stdout)
    config["services"]["web"].pop("ports")
    (target / RENDERED).write_text(yaml.safe_dump(config, sort_keys=False))
    return target


@dataclass
class Stack:
    engine: Engine
    directory: Path
    project: str
    ports: Ports

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> Any:
        return self.engine.run(
            [COMPOSE, "--project-name", self.project, "--project-directory", str(self.directory),
             "-f", str(self.directory / RENDERED), *args],
            check=check, timeout=timeout, cwd=self.directory,
        )

    def up(self) -> None:
        self.compose("up", "--detach", "--no-build")
        self.wait_healthy("web")

    def down(self, volumes: bool = False) -> None:
        self.compose("down", "--remove-orphans", *(["--volumes"] if volumes else []))

    def containers(self, service: str, all: bool = True) -> list[str]:
        listed = self.engine.docker("ps", *(["--all"] if all else []), "--quiet", "--filter",
                                    f"label=com.docker.compose.project={self.project}", "--filter",
                                    f"label=com.docker.compose.service={service}").stdout
        return listed.split()

    def inspect(self, service: str) -> dict[str, Any]:
        ids = self.containers(service)
        assert len(ids) == 1, f"{service}: {len(ids)} containers"
        return json.loads(self.engine.docker("inspect", ids[0]).stdout)[0]

    def logs(self, service: str) -> str:
        output = []
        for container in self.containers(service):
            result = self.engine.docker("logs", container, check=False)
            output.append(result.stdout + result.stderr)
        return "\n".join(output)

    def exec(self, service: str, *command: str, check: bool = True, timeout: float = 300) -> Any:
        return self.compose("exec", "-T", service, *command, check=check, timeout=timeout)

    def wait_healthy(self, service: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ids = self.containers(service, all=False)
            if ids:
                state = json.loads(self.engine.docker("inspect", ids[0]).stdout)[0]["State"]
                if state.get("Health", {}).get("Status") == "healthy":
                    return
            time.sleep(2)
        raise AssertionError(f"{service} did not become healthy within {timeout}s\n"
                             + "\n".join(self.logs(name)[-3000:] for name in ("migrate", service)))

    def wait_for_log(self, service: str, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.logs(service))
            if match:
                return match
            time.sleep(2)
        raise AssertionError(f"{service} never logged {pattern!r}:\n{self.logs(service)[-3000:]}")

    def browser(self) -> "Browser":
        return Browser(self.ports.web)


class Browser:
    """HTTP to the web container as the TLS-terminating proxy forwards it (X-Forwarded-Proto: https).

    Keeps cookies itself: production mode marks them Secure, and this leg is plain HTTP on 127.0.0.1.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def submit(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str]]:
        """GET the page's form for its CSRF token, then POST it, as a browser does."""
        status, _, page = self.request("GET", path)
        assert status == 200, f"GET {path}: {status}\n{page[-2000:]}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"{path} has no CSRF token"
        status, headers, _ = self.request(
            "POST", path, {"csrfmiddlewaretoken": token.group(1), **form},
            headers={"Referer": f"https://{HOST}{path}", "Origin": f"https://{HOST}"},
        )
        return status, headers

    def sign_in(self, email: str, password: str) -> tuple[int, dict[str, str]]:
        return self.submit("/sign-in/", {"email": email, "password": password})

    def json(self, path: str) -> tuple[int, Any]:
        status, _, text = self.request("GET", path, headers={"Accept": "application/json"})
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text
