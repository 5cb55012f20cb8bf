"""An organization with a project, its members by role, and a way to make prompts."""

from __future__ import annotations

from typing import Any, Callable

import pytest


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user(email="owner@example.com")


@pytest.fixture
def organization(make_organization: Callable[..., Any], owner: Any) -> Any:
    return make_organization(name="Acme", owner=owner)


@pytest.fixture
def project(organization: Any) -> Any:
    from core.models import Project

    return Project.objects.create(organization=organization, name="Support bot", slug="support-bot")


@pytest.fixture
def member_with(make_member: Callable[..., Any], organization: Any) -> Callable[[str], Any]:
    """``member_with("viewer")`` makes a user with that role in the organization."""
    return lambda role: make_member(organization, role)


@pytest.fixture
def make_prompt(project: Any, owner: Any) -> Callable[..., Any]:
    from anneal_prompts import services

    def make(name: str = "Greeting", body: str = "Hello {name}!\nHow can I help?", **fields: Any) -> Any:
        return services.create_prompt(fields.pop("project", project), name, body, author=owner, **fields)

    return make

