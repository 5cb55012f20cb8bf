"""Shared helpers for the deployment tests: paths and the tools the checks run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def venv_tool(name: str) -> str:
    """A console script installed next to this interpreter (hadolint, kubernetes-validate)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not installed; `./dev test` installs the test dependencies.")
    return found


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[Any]:
    """A private Docker daemon with the base, project, PostgreSQL and Redis images built.

    Skips, saying why, where no daemon can start (not root, docker.io or debootstrap missing,
    dockerd refusing to start). Stops the daemon it started, and nothing else, at the end.
    """
    from .docker_engine import Engine, EngineUnavailable, build_images, cache_dir, missing_prerequisites

    reason = missing_prerequisites()
    if reason:
        pytest.skip(f"no Docker daemon can start here: {reason}")
    engine = Engine(cache_dir())
    try:
        engine.start()
    except EngineUnavailable as exc:
        pytest.skip(f"no Docker daemon can start here: {exc}")
    try:
        build_images(engine, REPO)
        yield engine
    finally:
        engine.stop()
        timings = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in engine.timings.items())
        print(f"\nDocker engine timings: {timings}")


@pytest.fixture(scope="session")
def airgap_bundle(docker_engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The air-gapped bundle (deploy/airgap/build-bundle.sh) of the images ``docker_engine`` built."""
    from .docker_engine import build_bundle

    target = tmp_path_factory.mktemp("bundle") / "anneal-bundle"
    build_bundle(docker_engine, target)
    return target
