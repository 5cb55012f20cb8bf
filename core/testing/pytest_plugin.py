"""Fixtures for testing Anneal and its plugins, shipped as a ``pytest11`` plugin.

    def test_my_hook_runs(anneal_plugin, make_organization, captured_events):
        anneal_plugin(MyPlugin(), name="mine")
        ...

Every fixture needs pytest-django's database (``db``) and so marks nothing by itself.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

import pytest

_counter = itertools.count(1)


@pytest.fixture
def anneal_plugin() -> Iterator[Callable[..., Any]]:
    """Register plugin objects for one test: ``anneal_plugin(obj, name="x", requires=None)``."""
    from core.plugins.manager import register_plugin, unregister_plugin

    names: list[str] = []

    def register(plugin: object, name: str | None = None, requires: str | None = None) -> object:
        name = name or f"test-plugin-{next(_counter)}"
        register_plugin(plugin, name, requires=requires)
        names.append(name)
        return plugin

    yield register
    for name in reversed(names):
        unregister_plugin(name)


@pytest.fixture
def captured_events(anneal_plugin: Callable[..., Any]) -> list[Any]:
    """A list that receives every event emitted during the test (in-transaction delivery)."""
    from core.plugins import hookimpl

    events: list[Any] = []

    class Capture:
        @hookimpl
        def anneal_event(self, event: Any) -> None:
            events.append(event)

    anneal_plugin(Capture(), name="captured-events")
    return events


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """``make_user(email=None, password="…", **fields)`` creates an active user."""
    from core.models import User

    def make(email: str | None = None, password: str = "correct horse battery", **fields: Any) -> Any:
        return User.objects.create_user(email or f"user{next(_counter)}@example.com", password, **fields)

    return make


@pytest.fixture
def make_organization(db: None, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """``make_organization(name=None, owner=None)`` creates an organization with an owner."""
    from core.models import Membership, Organization

    def make(name: str | None = None, owner: Any = None) -> Any:
        number = next(_counter)
        organization = Organization.objects.create(name=name or f"Org {number}", slug=f"org-{number}")
        Membership.objects.create(organization=organization, user=owner or make_user(), role="owner")
        return organization

    return make


@pytest.fixture
def make_member(db: None, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """``make_member(organization, role)`` creates a user with that role in ``organization``."""
    from core.models import Membership

    def make(organization: Any, role: str = "member", **user_fields: Any) -> Any:
        user = make_user(**user_fields)
        Membership.objects.create(organization=organization, user=user, role=role)
        return user

    return make


@pytest.fixture
def api_client_for(db: None) -> Callable[[Any], Any]:
    """``api_client_for(user)`` returns a DRF ``APIClient`` authenticated by a real API token."""
    from rest_framework.test import APIClient

    from core.services.tokens import create_token

    def make(user: Any) -> Any:
        _, value = create_token(user, "test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
        return client

    return make
