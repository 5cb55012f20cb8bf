"""Fixtures for testing Anneal and its plugins, shipped as a ``pytest11`` plugin.

Installing Anneal makes them available to every pytest run; a plugin's tests only need
``DJANGO_SETTINGS_MODULE = "core.settings"`` in their pytest configuration.

    def test_my_hook_runs(anneal_plugin, make_organization, captured_events):
        anneal_plugin(MyPlugin(), name="mine")
        ...

Fixtures that create data request pytest-django's ``db`` themselves.

* ``anneal_plugin``: register a plugin object for one test.
* ``captured_events``: every event emitted during the test, in order.
* ``make_user``, ``make_organization``, ``make_member``: data.
* ``organization_roles``: an organization with one user in each role.
* ``api_client_for(user)``: a DRF client authenticated with a real API token; every response it
  receives under ``/api/v1/`` must match the OpenAPI schema (``core.testing.contract``).
* ``web_client_for(user)``: a Django test client signed in as ``user``.
* ``feature_flags``: switch entitlements on or off for one test.
* ``outbound_allow(*entries)``: add ``ANNEAL_OUTBOUND_ALLOW`` entries for one test (for
  example ``outbound_allow("127.0.0.1")`` to reach a receiver on loopback), here and in worker
  processes started afterwards. Without it, :mod:`core.outbound` refuses loopback.
* ``outbound_resolver(answers)``: answer DNS lookups of :mod:`core.outbound` from a mapping
  ``{host: [address, ...]}`` or a callable ``(host, port) -> [address, ...]``.
* ``fresh_rate_counters`` (automatic): no failed sign-ins or API requests are counted from earlier
  tests (sign-in throttling and API rate limits start at zero).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash test users' passwords with MD5: Argon2 is slow on purpose and tests make many users.

    Override this fixture in a conftest to test real hashing.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_meter_buffer() -> Iterator[None]:
    """Each test starts and ends with an empty metering buffer (``core.metering``)."""
    from core import metering

    metering.forget()
    yield
    metering.forget()


@pytest.fixture
def without_plugins() -> Iterator[Callable[..., None]]:
    """``without_plugins("enterprise", ...)``: leave installed plugins out for the rest of the test."""
    import contextlib

    from core.plugins.manager import suspended

    with contextlib.ExitStack() as stack:
        yield lambda *names: stack.enter_context(suspended(*names))


@pytest.fixture
def jobs_in_process(settings: Any) -> Iterator[None]:
    """Run Celery jobs in the test's process (eagerly), also when Redis and workers are configured."""
    from core.jobs import app

    previous = app.conf.task_always_eager  # read first: Celery loads its settings on first access
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True  # Celery read its settings once; change its copy too
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


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
    """``make_organization(name=None, owner=None)`` creates an organization with an owner.

    The slug is ``org-<n>``, not derived from ``name``: build URLs from ``organization.slug``.
    """
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
    """``api_client_for(user)`` returns a DRF ``APIClient`` authenticated by a real API token.

    A response that the OpenAPI schema does not document (status code or body) fails the test.
    """
    from core.services.tokens import create_token
    from core.testing.contract import ContractClient

    def make(user: Any) -> Any:
        _, value = create_token(user, "test")
        client = ContractClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
        return client

    return make


@pytest.fixture
def web_client_for(db: None) -> Callable[[Any], Any]:
    """``web_client_for(user)`` returns a Django test ``Client`` with ``user`` signed in."""
    from django.test import Client

    def make(user: Any) -> Any:
        client = Client()
        client.force_login(user)
        return client

    return make


@dataclass
class OrganizationRoles:
    """An organization and one user holding each role in it (``roles.user("admin")``)."""

    organization: Any
    owner: Any
    admin: Any
    member: Any
    viewer: Any

    def user(self, role: str) -> Any:
        return getattr(self, role)


@pytest.fixture
def organization_roles(
    make_organization: Callable[..., Any], make_member: Callable[..., Any], make_user: Callable[..., Any]
) -> OrganizationRoles:
    """An organization with an owner, an admin, a member and a viewer."""
    owner = make_user()
    organization = make_organization(owner=owner)
    return OrganizationRoles(
        organization=organization,
        owner=owner,
        admin=make_member(organization, "admin"),
        member=make_member(organization, "member"),
        viewer=make_member(organization, "viewer"),
    )


class FeatureFlags:
    """Answers ``anneal_feature_enabled`` for one test, before any other plugin."""

    def __init__(self) -> None:
        self._answers: dict[tuple[str, int | None], bool] = {}

    def enable(self, name: str, organization: Any = None) -> None:
        """Switch ``name`` on, for ``organization`` or for every organization (``None``)."""
        self._answers[(name, getattr(organization, "pk", None))] = True

    def disable(self, name: str, organization: Any = None) -> None:
        self._answers[(name, getattr(organization, "pk", None))] = False

    def answer(self, name: str, organization: Any) -> bool | None:
        specific = self._answers.get((name, getattr(organization, "pk", None)))
        return specific if specific is not None else self._answers.get((name, None))


@pytest.fixture
def feature_flags(anneal_plugin: Callable[..., Any]) -> FeatureFlags:
    """``feature_flags.enable("sso", organization)``: entitlements decided by the test.

    Names the test did not set get no opinion, so other plugins and defaults still apply.
    """
    from core.plugins import hookimpl

    flags = FeatureFlags()

    class Flags:
        @hookimpl(tryfirst=True)
        def anneal_feature_enabled(self, name: str, organization: Any) -> bool | None:
            return flags.answer(name, organization)

    anneal_plugin(Flags(), name="feature-flags")
    return flags


@pytest.fixture
def outbound_allow(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``outbound_allow("127.0.0.1", "idp.test")``: allowlist entries for this test and its workers."""

    def allow(*entries: str) -> None:
        current = list(getattr(settings, "ANNEAL_OUTBOUND_ALLOW", []))
        settings.ANNEAL_OUTBOUND_ALLOW = current + [e for e in entries if e not in current]
        monkeypatch.setenv("ANNEAL_OUTBOUND_ALLOW", ",".join(settings.ANNEAL_OUTBOUND_ALLOW))

    return allow


@pytest.fixture
def outbound_resolver() -> Iterator[Callable[[Any], None]]:
    """``outbound_resolver({"idp.test": ["127.0.0.1"]})``: the DNS answers core.outbound sees in this test."""
    import contextlib

    from core.outbound import use_resolver

    with contextlib.ExitStack() as stack:

        def install(answers: Any) -> None:
            if callable(answers):
                resolver = answers
            else:
                def resolver(host: str, port: int) -> list[str]:
                    if host not in answers:
                        raise OSError(f"test resolver: no answer for {host}")
                    return list(answers[host])
            stack.enter_context(use_resolver(resolver))

        yield install


@pytest.fixture(autouse=True)
def fresh_rate_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no failed sign-ins and no API requests counted: the cache (and Redis)
    outlive a test, and on SQLite the ids the API's counters are keyed on are reused."""
    import uuid

    from core.api import throttling
    from core.services import sign_in_throttle

    test = uuid.uuid4().hex
    monkeypatch.setattr(sign_in_throttle, "KEY_PREFIX", f"anneal:test-{test}:sign-in")
    monkeypatch.setattr(throttling, "KEY_PREFIX", f"anneal:test-{test}:throttle")
