"""The compose deployment: `docker-compose config` accepts it, and `.env.example` is complete."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import DEPLOY, REPO

COMPOSE_DIR = DEPLOY / "compose"


def compose_config(directory: Path) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is not installed; `./dev test` installs it (apt-get install docker-compose).")
    return subprocess.run(
        ["docker-compose", "--project-directory", str(directory), "-f", str(directory / "docker-compose.yml"), "config"],
        capture_output=True, text=True, cwd=directory, timeout=60,
    )


@pytest.fixture
def compose_dir(tmp_path: Path) -> Path:
    """The compose directory as an admin prepares it: `.env` copied from `.env.example`."""
    target = tmp_path / "compose"
    shutil.copytree(COMPOSE_DIR, target)
    shutil.copy(target / ".env.example", target / ".env")
    return target


def test_docker_compose_accepts_the_file_with_the_example_settings(compose_dir: Path) -> None:
    result = compose_config(compose_dir)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert set(config["services"]) == {"web", "worker", "beat", "postgres", "redis", "migrate"}


def test_web_worker_and_beat_start_only_after_the_migration_succeeded(compose_dir: Path) -> None:
    services = yaml.safe_load(compose_config(compose_dir).stdout)["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"


def test_every_anneal_process_uses_one_image_postgres_redis_and_a_persistent_volume(compose_dir: Path) -> None:
    config = yaml.safe_load(compose_config(compose_dir).stdout)
    services = config["services"]
    images = {services[name]["image"] for name in ("web", "worker", "beat", "migrate")}
    assert images == {"anneal:0.1.0"}
    for name in ("web", "worker", "beat", "migrate"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://anneal:")
        assert environment["DATABASE_URL"].endswith("@postgres:5432/anneal")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["ANNEAL_PRODUCTION"] == "true"
    assert "postgres-data" in config["volumes"]
    assert any("/var/lib/postgresql/data" in volume for volume in services["postgres"]["volumes"])
    assert services["web"]["healthcheck"]["test"][-1] == "/usr/local/bin/anneal-healthcheck"
    assert "inspect ping" in services["worker"]["healthcheck"]["test"][-1]


def test_the_license_can_come_from_the_environment_or_a_mounted_file(compose_dir: Path) -> None:
    env = (compose_dir / ".env").read_text()
    env = env.replace("# ANNEAL_LICENSE_FILE=", "ANNEAL_LICENSE_FILE=").replace("# ANNEAL_LICENSE_KEY=", "ANNEAL_LICENSE_KEY=key-from-env")
    (compose_dir / ".env").write_text(env)
    services = yaml.safe_load(compose_config(compose_dir).stdout)["services"]
    web = services["web"]
    assert web["environment"]["ANNEAL_LICENSE_KEY"] == "key-from-env"
    assert web["environment"]["ANNEAL_LICENSE_FILE"] == "/etc/anneal/license/license.key"
    assert any(volume.endswith(":/etc/anneal/license:ro") for volume in web["volumes"])


def test_a_missing_database_password_is_refused_with_a_message_saying_what_to_set(compose_dir: Path) -> None:
    env = (compose_dir / ".env").read_text()
    (compose_dir / ".env").write_text(re.sub(r"(?m)^POSTGRES_PASSWORD=.*$", "", env))
    result = compose_config(compose_dir)
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def test_env_example_documents_every_setting_anneal_reads() -> None:
    sources = [
        REPO / "core" / "settings.py", REPO / "core" / "plugins" / "manager.py",
        DEPLOY / "docker" / "gunicorn.conf.py", DEPLOY / "docker" / "healthcheck.py",
    ]
    read = set()
    for source in sources:
        read |= set(re.findall(r"""(?:env|env_bool|env_list|_env_list|environ\.get)\(\s*["'](ANNEAL_\w+)["']""", source.read_text()))
    assert "ANNEAL_SECRET_KEY" in read
    documented = set(re.findall(r"(?m)^#? ?(ANNEAL_\w+)=", (COMPOSE_DIR / ".env.example").read_text()))
    assert read - documented == set()
    assert {"ANNEAL_LICENSE_KEY", "ANNEAL_LICENSE_FILE"} <= documented
