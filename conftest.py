"""Shared test set-up: service-mode detection, a real Celery worker, a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

SERVICES = bool(os.environ.get("DATABASE_URL")) and bool(os.environ.get("REDIS_URL"))
ROOT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if SERVICES:
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL and REDIS_URL (PostgreSQL, Redis, Celery)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


def database_url_for_children() -> str:
    """The URL of the database pytest-django created, for processes started by a test."""
    from django.db import connection

    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
        f"{settings['NAME']}"
    )


def child_environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    if SERVICES:
        env["DATABASE_URL"] = database_url_for_children()
    env.update(extra)
    return env


def wait_for(condition: Any, timeout: float = 30.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[subprocess.Popen]:
    """A real ``anneal worker`` process on the test database and Redis (services mode only)."""
    if not SERVICES:
        pytest.skip("needs Redis")
    from core.jobs import app

    app.control.purge()
    process = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "worker", "--", "--concurrency=2", "--pool=prefork", "-n", f"test-{os.getpid()}@%h"],
        env=child_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )
    try:
        wait_for(lambda: app.control.ping(timeout=0.5), timeout=60)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A real headless Debian Chromium driven by Playwright."""
    # Playwright's sync API keeps an asyncio loop running in the test thread for the rest of the
    # session, which makes Django refuse ORM calls from the (synchronous) tests that follow.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is not installed; `./dev test` installs it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser page on the live server. When the test is done, axe-core checks the page it
    ended on (WCAG 2.1 A and AA, ``core.testing.page_checks``): a violation on an Anneal page fails it."""
    from urllib.parse import urlsplit

    from core.testing.page_checks import axe_violations, is_anneal_page

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    from playwright.sync_api import Error as PlaywrightError

    violations: list[Any] = []
    path = urlsplit(page.url).path
    try:
        if page.url.startswith(live_server.url) and is_anneal_page(path) and "html" in page.evaluate("document.contentType"):
            violations = axe_violations(page)
    except PlaywrightError:
        pass  # the page closed or crashed: the test itself reports that
    context.close()
    assert not violations, f"axe-core (WCAG 2.1 A/AA) on {path}:\n" + "\n".join(str(v) for v in violations)


@pytest.fixture
def sign_in_page(live_server: Any) -> Any:
    """``sign_in_page(page, user)``: give the browser a signed-in session without the sign-in form.

    The session is made by Django's test client and its cookie handed to the browser, so each
    test that is not about signing in skips the form (one of the slower steps in a browser).
    """
    from django.conf import settings
    from django.test import Client

    def sign_in(page: Any, user: Any) -> Any:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                                   "url": live_server.url}])
        return page

    return sign_in


@pytest.fixture
def oidc_issuer(outbound_allow: Any) -> Iterator[str]:
    """A local OIDC issuer on 127.0.0.1 that serves only a discovery document (allowlisted), so an
    OIDC provider can be saved without starting the full test identity provider."""
    import json

    from core.testing.listeners import http_listener, stop, url_of

    outbound_allow("127.0.0.1")
    server = http_listener()
    issuer = url_of(server)
    document = {"issuer": issuer, **{name: f"{issuer}/{name}" for name in (
        "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")}}
    server.routes["/.well-known/openid-configuration"] = (
        200, {"Content-Type": "application/json"}, json.dumps(document).encode())
    yield issuer
    stop(server)
