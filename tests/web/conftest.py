"""Fixtures for the web UI tests: signed-in test clients and signed-in browser pages."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from django.conf import settings
from django.test import Client

PASSWORD = "correct horse battery"


@pytest.fixture
def sign_in_page(live_server: Any) -> Callable[[Any, Any], Any]:
    """``sign_in_page(page, user)``: give the browser a signed-in session without the sign-in form.

    The session is made by Django's test client and its cookie handed to the browser, so each
    test that is not about signing in skips the form (one of the slower steps in a browser).
    """

    def sign_in(page: Any, user: Any) -> Any:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                                   "url": live_server.url}])
        return page

    return sign_in


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user(email="owner@example.com", name="Olivia Owner")


@pytest.fixture
def organization(make_organization: Callable[..., Any], owner: Any) -> Any:
    return make_organization(name="Acme", owner=owner)
