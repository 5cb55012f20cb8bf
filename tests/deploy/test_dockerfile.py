"""The container image definition: lint-clean, non-root, and every file it copies exists."""

from __future__ import annotations

import fnmatch
import re
import subprocess

from .conftest import DEPLOY, REPO, venv_tool

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_hadolint_reports_nothing_at_any_severity() -> None:
    result = subprocess.run(
        [venv_tool("hadolint"), "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_root_image_with_unpinned_pip(tmp_path) -> None:
    """The lint check itself works: a careless Dockerfile fails it."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nRUN pip install django\nCMD python manage.py runserver\n")
    result = subprocess.run([venv_tool("hadolint"), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "DL3013" in result.stdout


def test_the_image_is_multi_stage_and_runs_as_a_numeric_non_root_user() -> None:
    steps = instructions()
    stages = [args for keyword, args in steps if keyword == "FROM"]
    # wheels, the exported wheelhouse (FROM scratch, never run) and the runtime, last.
    assert stages == ["${PYTHON_IMAGE} AS wheels", "scratch AS wheelhouse", "${PYTHON_IMAGE} AS runtime"]
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in DOCKERFILE.read_text()
    defaults = dict(args.split("=", 1) for keyword, args in steps if keyword == "ARG" and "=" in args)
    users = [re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], args) for keyword, args in steps if keyword == "USER"]
    assert users and re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", users[-1])


def test_the_image_has_a_healthcheck_collects_static_files_and_runs_gunicorn() -> None:
    text = DOCKERFILE.read_text()
    assert any(keyword == "HEALTHCHECK" for keyword, _ in instructions())
    assert "anneal collectstatic --noinput" in text
    assert "ANNEAL_STATIC_ROOT=/opt/anneal/static" in text
    entrypoint = (DEPLOY / "docker" / "entrypoint.sh").read_text()
    assert 'gunicorn --config "${ANNEAL_GUNICORN_CONFIG:-/etc/anneal/gunicorn.conf.py}"' in entrypoint
    assert "core.wsgi:application" in entrypoint
    for process in ("worker", "beat", "migrate"):
        assert f"exec anneal {process}" in entrypoint


def test_every_file_the_image_copies_exists_and_is_not_excluded_from_the_context() -> None:
    ignored = [
        line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = []
    for keyword, args in instructions():
        if keyword == "COPY" and "--from=" not in args:
            sources += args.split()[:-1]
    assert sources
    for source in sources:
        path = source.rstrip("/")
        if any(char in path for char in "*?["):  # a pattern may match nothing, but not everything may be missing
            matches = list(REPO.glob(path))
            assert all(not any(fnmatch.fnmatch(str(m.relative_to(REPO)), p) for p in ignored) for m in matches)
            continue
        assert (REPO / path).exists(), f"{source} is copied into the image but does not exist"
        assert not any(fnmatch.fnmatch(path, pattern) for pattern in ignored), f"{source} is in .dockerignore"


def test_the_entrypoint_is_valid_posix_shell() -> None:
    result = subprocess.run(["sh", "-n", str(DEPLOY / "docker" / "entrypoint.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_entrypoint_runs_any_anneal_subcommand(tmp_path) -> None:
    import os
    import sys

    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}", ANNEAL_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        ["sh", str(DEPLOY / "docker" / "entrypoint.sh"), "anneal", "showmigrations", "core"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "0001_initial" in result.stdout
