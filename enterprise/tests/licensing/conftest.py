"""Fixtures for the licensing tests: a throwaway signing key and a clean license cache."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from anneal_enterprise.licensing import clock, sources, status
from anneal_enterprise.licensing.testing import TestSigner


@pytest.fixture(autouse=True)
def clean_license_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ANNEAL_LICENSE_KEY", raising=False)
    monkeypatch.delenv("ANNEAL_LICENSE_FILE", raising=False)
    status.reset()
    sources.forget()
    clock.set_now(None)
    yield
    clock.set_now(None)
    status.reset()
    sources.forget()


@pytest.fixture
def signer(settings: Any) -> TestSigner:
    """A throwaway key pair whose public half is registered as an extra (test) key."""
    signer = TestSigner()
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
    return signer
