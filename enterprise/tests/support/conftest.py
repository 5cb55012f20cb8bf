"""Fixtures for the support features: a licensed instance, staff users, building bundles."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from django.test import Client

from core.plugins import DiagnosticCollector, hookimpl


class SupportLicensed:
    """Stands in for a license granting ``support`` (the licensing package answers this in production)."""

    @hookimpl
    def anneal_feature_enabled(self, name: str, organization: Any) -> bool | None:
        return True if name == "support" else None


@pytest.fixture
def support_licensed(anneal_plugin: Callable[..., Any]) -> None:
    anneal_plugin(SupportLicensed(), name="test-support-license")


@pytest.fixture
def collector_plugin(anneal_plugin: Callable[..., Any]) -> Callable[..., None]:
    """``collector_plugin(DiagnosticCollector(...), ...)`` registers a plugin contributing those collectors."""

    def register(*items: DiagnosticCollector, name: str = "test-collectors") -> None:
        class Plugin:
            @hookimpl
            def anneal_diagnostics(self) -> list[DiagnosticCollector]:
                return list(items)

        anneal_plugin(Plugin(), name=name)

    return register


@pytest.fixture
def staff_user(make_user: Callable[..., Any]) -> Any:
    return make_user(is_staff=True)


@pytest.fixture
def staff_client(staff_user: Any) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user(email="owner@customer.example")


@pytest.fixture
def organization(make_organization: Callable[..., Any], owner: Any, make_member: Callable[..., Any]) -> Any:
    """The customer's organization, with two owners (both are told of a grant)."""
    organization = make_organization(name="Customer", owner=owner)
    make_member(organization, "owner", email="second-owner@customer.example")
    return organization


@pytest.fixture
def owner_client(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def build(transactional_db: None) -> Callable[..., Any]:
    """``build(collector_ids, recipients=[])`` builds a bundle in this process and returns it."""
    from anneal_enterprise.support import bundles

    def make(collector_ids: list[str] | None = None, recipients: list[str] | None = None) -> Any:
        bundle = bundles.create_bundle(None, collector_ids, recipients, enqueue=False)
        return bundles.build_bundle(bundle.pk)

    return make


@pytest.fixture
def bundle_worker(request: pytest.FixtureRequest, transactional_db: None) -> None:
    """A real Celery worker in services mode; on the embedded default tasks run in-process."""
    from conftest import SERVICES

    if SERVICES:
        request.getfixturevalue("celery_worker_process")

