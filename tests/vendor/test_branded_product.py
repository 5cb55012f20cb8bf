"""With the example vendor product installed, every page, e-mail and CLI message shows its brand.

The example (``examples/acme-product``) is installed with pip into a throwaway virtual
environment and served by ``anneal run`` in its own process, so the instance is exactly what a
vendor's customer runs: the product declared by an installed distribution, its logo and favicon
served from that distribution's static files. Chromium visits every page reachable from the
organization list (signed in as a staff owner) and from the signed-out pages, plus every routed
address the seed can fill; the word "Anneal" may appear only in the "Built on Anneal" line the
example keeps.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin

import pytest

from core.testing.page_checks import discover_pages
from tests.vendor.branded_instance import PASSWORD, STAFF_EMAIL, BrandedInstance, emails_in

pytestmark = pytest.mark.browser

ANNEAL = re.compile(r"\bAnneal\b")
KEPT = "Built on Anneal"

def without_the_kept_line(text: str) -> str:
    return text.replace(KEPT, "")


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrandedInstance]:
    instance = BrandedInstance(tmp_path_factory.mktemp("acme"))
    instance.start()
    yield instance
    instance.stop()


class _Response:
    """What ``discover_pages`` reads of a response, from Playwright's request API."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status
        self._headers = {k.lower(): v for k, v in response.headers.items()}
        self.content = response.body()

    def get(self, header: str, default: str = "") -> str:
        return self._headers.get(header.lower(), default)


class _BrowserClient:
    def __init__(self, context: Any, base_url: str) -> None:
        self.context, self.base_url = context, base_url

    def get(self, path: str) -> _Response:
        return _Response(self.context.request.get(urljoin(self.base_url, path), max_redirects=0))


def sign_in(page: Any) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def brand_problems(page: Any, path: str) -> list[str]:
    response = page.goto(path)
    if response is None or response.status != 200:
        return [f"{path}: answered {response and response.status}"]
    problems = []
    title = page.title()
    if not title.endswith("· Acme Cloud") or ANNEAL.search(title):
        problems.append(f"{path}: title {title!r}")
    text = without_the_kept_line(page.inner_text("body"))
    for match in ANNEAL.finditer(text):
        problems.append(f"{path}: visible text says Anneal: ...{text[max(0, match.start() - 60):match.end() + 20]!r}")
    if page.locator("header.top .brand").inner_text().strip() != "Acme Cloud":
        problems.append(f"{path}: the header's brand is {page.locator('header.top .brand').inner_text()!r}")
    return problems


def test_every_page_shows_the_vendors_brand_and_not_anneal(acme: BrandedInstance, browser: Any):
    context = browser.new_context(base_url=acme.url)
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        signed_out_pages = discover_pages(_BrowserClient(context, acme.url), acme.seed["signed_out"]).pages
        problems = [p for path in signed_out_pages for p in brand_problems(page, path)]
        sign_in(page)
        signed_in_pages = discover_pages(_BrowserClient(context, acme.url), acme.seed["signed_in"]).pages
        assert len(signed_in_pages) >= 10 and len(signed_out_pages) >= 3, (signed_in_pages, signed_out_pages)
        problems += [p for path in signed_in_pages for p in brand_problems(page, path)]
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_the_logo_favicon_and_colours_come_from_the_vendors_distribution(acme: BrandedInstance, browser: Any):
    context = browser.new_context(base_url=acme.url)
    try:
        page = context.new_page()
        page.goto("/sign-in/")
        favicon = page.locator("link[rel=icon]").get_attribute("href")
        assert favicon and favicon.endswith("acme_product/favicon.svg")
        served = context.request.get(urljoin(acme.url, favicon))
        assert served.status == 200 and served.headers["content-type"].startswith("image/svg+xml")
        logo = page.locator("header.top .brand img")
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--color-accent')"
                             ).strip() == "#0b6e4f"
        page.emulate_media(color_scheme="dark")
        assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--color-accent')"
                             ).strip() == "#5fd3a6"
        assert page.get_by_text("Sign in to Acme Cloud with your company account.").is_visible()
        footer = page.locator("footer")
        assert "Acme Cloud, by Acme Corporation." in footer.inner_text() and KEPT in footer.inner_text()
        assert footer.get_by_role("link", name="Support").get_attribute("href") == "https://support.acme.example/"
    finally:
        context.close()


def test_every_email_comes_from_the_vendor_and_names_it(acme: BrandedInstance, browser: Any):
    context = browser.new_context(base_url=acme.url)
    try:
        page = context.new_page()
        page.goto("/password/reset/")
        page.get_by_label("Email").fill(STAFF_EMAIL)
        page.get_by_role("button", name="Send reset link").click()
        page.wait_for_url("**/password/reset/sent/")
    finally:
        context.close()
    messages = emails_in(acme.seed_output) + emails_in(acme.server_output())
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert subjects == ["[Acme] A second factor of your Acme Cloud account changed",
                        "[Acme] Reset your Acme Cloud password",
                        "[Acme] You are invited to Rockets Inc on Acme Cloud"], subjects
    for message in messages:
        assert message["From"] == "Acme Cloud <acme@localhost>", message["From"]
        assert not ANNEAL.search(message.get_payload()), message.get_payload()


def test_the_cli_names_the_vendors_command_in_help_and_messages(acme: BrandedInstance, tmp_path: Path):
    help_text = acme.cli("--help").stdout
    assert help_text.startswith("acme 1.0.0\n") and "Usage: acme COMMAND" in help_text
    assert not ANNEAL.search(without_the_kept_line(help_text).split("Django's commands")[0]), help_text
    for command in ("run", "license"):
        described = acme.cli(command, "--help").stdout.split("options:")[0]
        assert described.startswith(f"usage: acme {command}") and not ANNEAL.search(described), described
    backup = acme.cli("backup", "--help").stdout
    assert backup.startswith("usage: acme backup") and "/backups/acme-<time>.tar" in backup
    made = acme.cli("backup")
    assert made.returncode == 0, made.stderr
    assert re.search(r"Backup written to \S+/backups/acme-\d{8}T\d{6}Z\.tar", made.stdout), made.stdout
