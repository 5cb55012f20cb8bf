"""A private Docker engine for the image and compose tests, and the images they build.

The engine is Debian's ``docker.io``: ``dockerd`` on its own socket, data root and exec root, with
no bridge network and no iptables changes (containers use the host network, so every connection
stays on 127.0.0.1). Only the daemon this module started is ever stopped.

The data root lives in the user's cache directory (``$XDG_CACHE_HOME/anneal/deploy-test``, or
``ANNEAL_DOCKER_TEST_CACHE``), outside the repository, so the base image (about 4 minutes of
debootstrap) and BuildKit's layer cache survive between runs on one machine. A lock file keeps
two test runs from sharing one daemon's data root at the same time. The daemon can reach no
image registry (``NO_REGISTRY``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Sequence

from .conftest import DEPLOY

# The client that comes with Debian's docker.io: 20.10, BuildKit built in. A newer client earlier
# on the PATH may want the buildx plugin, which is not installed.
DOCKER_CLIENT = Path(os.environ.get("ANNEAL_TEST_DOCKER", "/usr/bin/docker"))
DOCKERD = Path(os.environ.get("ANNEAL_TEST_DOCKERD", "/usr/sbin/dockerd"))
COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"
IMAGES_DIR = Path(__file__).resolve().parent / "images"
LOCAL_CA_DIR = Path("/usr/local/share/ca-certificates")

BASE_IMAGE = "anneal-base:bookworm"
BUILD_OPTIONS = ["--network", "host", "--progress", "plain"]
ANNEAL_IMAGE = "anneal:deploy-test"
POSTGRES_IMAGE = "anneal-test-postgres:15"
REDIS_IMAGE = "anneal-test-redis:7"
# The license report and SBOM the image ships in /usr/share/doc/anneal and the bundle at its top level.
SHIPPED_REPORTS = ("licenses.json", "licenses.txt", "sbom.cdx.json")


# The daemon's registry requests (pulls, pushes, BuildKit's base image lookups) go to a closed port:
# every build and install here works with no registry at all.
NO_REGISTRY = {name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}


class EngineUnavailable(Exception):
    """No Docker daemon can start here; the message says why (the tests skip with it)."""


def cache_dir() -> Path:
    configured = os.environ.get("ANNEAL_DOCKER_TEST_CACHE")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "anneal" / "deploy-test"


def missing_prerequisites() -> str | None:
    if os.geteuid() != 0:
        return "starting dockerd and running debootstrap need root"
    for tool, package in ((DOCKERD, "docker.io"), (DOCKER_CLIENT, "docker.io"), (Path(COMPOSE), "docker-compose")):
        if not tool.exists():
            return f"{tool} is missing (apt-get install {package}; `./dev test` installs it)"
    if shutil.which("debootstrap") is None:
        return "debootstrap is missing (apt-get install debootstrap; `./dev test` installs it)"
    return None


@dataclass
class Engine:
    root: Path
    process: subprocess.Popen | None = None
    lock: IO[str] | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "COMPOSE_"))}
        env.update(DOCKER_HOST=f"unix://{self.socket}", DOCKER_BUILDKIT="1", DOCKER=str(DOCKER_CLIENT),
                   PATH=f"{DOCKER_CLIENT.parent}:{env.get('PATH', '')}")
        for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        return env

    # --- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 60, daemon_env: dict[str, str] = NO_REGISTRY) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.lock = open(self.root / "lock", "w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)  # another run on this data root: wait for it
        self.socket.unlink(missing_ok=True)
        log = open(self.root / "dockerd.log", "w")
        self.process = subprocess.Popen(
            [str(DOCKERD), "--data-root", str(self.root / "docker"), "--exec-root", str(self.root / "exec"),
             "--pidfile", str(self.root / "dockerd.pid"), "-H", f"unix://{self.socket}",
             "--storage-driver", "overlay2", "--bridge", "none", "--iptables=false", "--ip-masq=false"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **daemon_env},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.socket.exists() and self.docker("version", check=False).returncode == 0:
                return
            time.sleep(0.5)
        tail = (self.root / "dockerd.log").read_text()[-1500:]
        self.stop()
        raise EngineUnavailable(f"dockerd did not start: {tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # dockerd stops its containers and containerd
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        # dockerd leaves its default network namespace mounted in the exec root.
        netns = self.root / "exec" / "netns" / "default"
        if os.path.ismount(netns) or netns.exists():
            subprocess.run(["umount", str(netns)], capture_output=True, timeout=30)
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    # --- commands ---------------------------------------------------------------------------
    def run(self, command: Sequence[str], check: bool = True, timeout: float = 900,
            cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(list(command), env=self.env, cwd=cwd, capture_output=True, text=True,
                                timeout=timeout, input=input)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {result.returncode}\n"
                                 f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result

    def docker(self, *args: str, check: bool = True, timeout: float = 900, **kwargs) -> subprocess.CompletedProcess:
        return self.run([str(DOCKER_CLIENT), *args], check=check, timeout=timeout, **kwargs)

    def has_image(self, tag: str) -> bool:
        return self.docker("image", "inspect", tag, check=False).returncode == 0

    def timed(self, name: str, command: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
        started = time.monotonic()
        result = self.run(command, **kwargs)
        self.timings[name] = time.monotonic() - started
        return result


def base_image_key() -> str:
    """Changes when build-base.sh or the machine's local CA certificates change."""
    digest = hashlib.sha256((DEPLOY / "docker" / "build-base.sh").read_bytes())
    if LOCAL_CA_DIR.is_dir():
        for path in sorted(LOCAL_CA_DIR.rglob("*.crt")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_images(engine: Engine, repo: Path) -> None:
    """The base (reused when its key matches), the project image and the PostgreSQL and Redis stand-ins."""
    key_file = engine.root / "base-image.key"
    key = base_image_key()
    if not (engine.has_image(BASE_IMAGE) and key_file.exists() and key_file.read_text() == key):
        engine.timed("base image", [str(DEPLOY / "docker" / "build-base.sh"), BASE_IMAGE], timeout=1200)
        key_file.write_text(key)
    build = [str(DOCKER_CLIENT), "build", *BUILD_OPTIONS]
    # PostgreSQL and Redis (apt downloads, mostly) build while the project image does (pip, CPU).
    services = {
        folder: subprocess.Popen([*build, "--build-arg", f"BASE_IMAGE={BASE_IMAGE}", "-t", tag, str(IMAGES_DIR / folder)],
                                 env=engine.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for tag, folder in ((POSTGRES_IMAGE, "postgres"), (REDIS_IMAGE, "redis"))
    }
    try:
        engine.timed("anneal image", [*build, "-f", str(DEPLOY / "docker" / "Dockerfile"),
                                      "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}", "-t", ANNEAL_IMAGE, str(repo)])
    finally:
        for folder, process in services.items():
            output, _ = process.communicate(timeout=900)
            if process.returncode != 0:
                raise AssertionError(f"the {folder} image did not build:\n{output[-4000:]}")
    # Superseded images of earlier runs; the layer cache stays for the next build.
    engine.docker("image", "prune", "--force")
    engine.docker("builder", "prune", "--force", "--keep-storage", "6gb")


def shipped_report(engine: Engine, name: str, image: str = ANNEAL_IMAGE) -> str:
    """One of SHIPPED_REPORTS as the image holds it."""
    return engine.docker("run", "--rm", "--network", "none", "--read-only", "--entrypoint", "cat", image,
                         f"/usr/share/doc/anneal/{name}").stdout


def build_bundle(engine: Engine, target: Path) -> None:
    """The air-gapped bundle of the images built here (its wheelhouse from the cached wheels stage)."""
    env_command = ["env", f"PYTHON_IMAGE={BASE_IMAGE}", "DOCKER_BUILD_ARGS=--network host"]
    engine.timed("air-gapped bundle", [*env_command, str(DEPLOY / "airgap" / "build-bundle.sh"), str(target),
                                       ANNEAL_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE], timeout=1200)
