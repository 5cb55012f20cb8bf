"""Fixtures for the web UI tests: an owner and their organization (``sign_in_page`` is in the root conftest)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

PASSWORD = "correct horse battery"


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user(email="owner@example.com", name="Olivia Owner")


@pytest.fixture
def organization(make_organization: Callable[..., Any], owner: Any) -> Any:
    return make_organization(name="Acme", owner=owner)
