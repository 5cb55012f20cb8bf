"""Every page of the UI, licensed and unlicensed, in Chromium: axe-core WCAG 2.1 A/AA, 375 px, screenshots.

The pages are not listed by hand: they are found by following every link from the organization
list (signed in as a staff owner, with seeded data) and from the sign-in page (signed out), plus
every address of the URL conf whose parameters the seed can fill. A new page is checked as soon
as it is linked or routed. Each page is

* checked with axe-core's WCAG 2.1 A and AA rules in the light and the dark theme (1366 px),
* measured at 1366 px: no card scrolls sideways (long values wrap in their cells),
* measured at 375 px and 320 px: the page itself may not scroll sideways (a wide table scrolls in its card),
* searched for fields whose only visible name is a placeholder, for table headers without text and for
  checkboxes or radio buttons not drawn beside their text,
* photographed at 1366 px (light and dark) and 375 px into ``ANNEAL_SCREENSHOT_DIR``
  (default ``test-artifacts/screenshots``), named after the edition and the URL pattern
  (``licensed-web-members-375.png``), with a ``summary-<edition>.json`` of the results.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Iterator

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.models import Project
from core.services.invitations import invite
from core.services.tokens import create_token
from core.testing.page_checks import (
    axe_violations,
    cards_scrolling_sideways,
    choices_apart_from_their_text,
    discover_pages,
    empty_table_headers,
    fields_named_only_by_placeholder,
    horizontal_overflow,
    page_name,
    pattern_of,
    screenshot,
    screenshot_dir,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE, NARROW, SMALLEST = {"width": 1366, "height": 900}, {"width": 375, "height": 812}, {"width": 320, "height": 640}


@dataclass
class Seed:
    staff: Any
    organization: Any
    project: Any
    anonymous_start: list[str] = field(default_factory=list)
    people: dict[str, Any] = field(default_factory=dict)  # role -> a user who is not staff

    def url_values(self) -> dict[str, str]:
        return {"slug": self.organization.slug, "organization_slug": self.organization.slug,
                "project_slug": self.project.slug}


@pytest.fixture(params=["unlicensed", "licensed"])
def edition(request: Any, settings: Any) -> Iterator[str]:
    """No license, or every enterprise feature licensed with the expiry banner showing (10 days left)."""
    if request.param == "unlicensed":
        with contextlib.suppress(ImportError):
            from anneal_enterprise.licensing import status

            status.reset()
        yield "unlicensed"
        return
    testing = pytest.importorskip("anneal_enterprise.licensing.testing")
    with testing.licensed(settings, expires_at=timezone.now() + timedelta(days=10)):
        yield "licensed"


@pytest.fixture
def seeded(edition: str, make_user: Any, make_organization: Any, make_member: Any, jobs_in_process: None) -> Seed:
    """A staff owner of an organization with a project, a member of each role, an invitation, a token,
    and whatever installed plugins show (a webhook endpoint, prompts with two versions, support data)."""
    staff = make_user(email="olivia@example.com", name="Olivia Owner", is_staff=True, is_superuser=True)
    organization = make_organization(name="Acme Rockets", owner=staff)
    project = Project.objects.create(organization=organization, name="Launch Control", slug="launch-control",
                                     description="Counts down to every launch")
    people = {role: make_member(organization, role, email=f"{role}@example.com", name=f"{role.title()} Person")
              for role in ("owner", "admin", "member", "viewer")}
    _, invitation_token = invite(organization, "newcomer@example.com", "member", invited_by=staff)
    create_token(staff, "ci-deploy")
    seed = Seed(staff, organization, project, anonymous_start=["/sign-in/", f"/invitations/{invitation_token}/"],
                people=people)
    with contextlib.suppress(ImportError):
        from anneal_webhooks.services import create_endpoint

        create_endpoint(organization, "https://hooks.example.com/anneal", ["*"], "Chat-ops", created_by=staff)
    with contextlib.suppress(ImportError):
        from anneal_prompts.services import create_prompt, edit_prompt

        prompt = create_prompt(project, "Greeting", "Hello {name}.", author=staff)
        edit_prompt(prompt, "Hello {name}, welcome aboard.", note="Friendlier", author=staff)
    if edition == "licensed":
        from anneal_enterprise.support.access import create_grant
        from anneal_enterprise.support.bundles import build_bundle, create_bundle

        _, grant_token = create_grant(organization, staff, "Ticket 4711: slow sign-in")
        seed.anonymous_start.append(reverse("enterprise:support-redeem", kwargs={"token": grant_token}))
        build_bundle(create_bundle(staff, enqueue=False).pk)
    return seed


def routed_pages(values: dict[str, str]) -> list[str]:
    """Every address of the URL conf whose parameters are all among ``values`` (organization, project)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace])))
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name

    addresses = []
    for name in dict.fromkeys(walk(get_resolver().url_patterns, "")):
        for size in range(len(values) + 1):
            for keys in itertools.combinations(values, size):
                with contextlib.suppress(NoReverseMatch):
                    addresses.append(reverse(name, kwargs={key: values[key] for key in keys}))
    return [address for address in addresses if not address.startswith("/api/v1/")]  # JSON, not pages


@dataclass
class PageResult:
    path: str
    pattern: str
    violations: dict[str, list[str]]
    nodes: int
    overflow_px: int
    overflow_320_px: int
    placeholder_only: list[str]
    wide_cards_at_1366: list[str]
    empty_headers: int
    choices_apart: list[str]


def check_page(page: Any, path: str, name: str) -> PageResult:
    page.set_viewport_size(WIDE)
    page.emulate_media(color_scheme="light")
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    light = axe_violations(page)
    screenshot(page, f"{name}-1366")
    page.emulate_media(color_scheme="dark")
    dark = axe_violations(page)
    violations = {"light": [str(v) for v in light], "dark": [str(v) for v in dark]}
    placeholder_only = fields_named_only_by_placeholder(page)
    wide_cards = cards_scrolling_sideways(page)
    empty_headers = empty_table_headers(page)
    choices_apart = choices_apart_from_their_text(page.locator("body"))
    screenshot(page, f"{name}-1366-dark")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(NARROW)
    overflow = horizontal_overflow(page)
    screenshot(page, f"{name}-375")
    page.set_viewport_size(SMALLEST)
    overflow_320 = horizontal_overflow(page)
    nodes = sum(len(v.targets) for v in light + dark)
    return PageResult(path, pattern_of(path) or path, violations, nodes, overflow, overflow_320, placeholder_only,
                      wide_cards, empty_headers, choices_apart)


def test_every_page_passes_axe_and_fits_375_px(edition, seeded, page, browser, live_server, sign_in_page):
    staff_client = Client()
    staff_client.force_login(seeded.staff)
    signed_in = discover_pages(staff_client, ["/", *routed_pages(seeded.url_values())]).pages
    signed_out = [path for path in discover_pages(Client(), seeded.anonymous_start).pages if path not in signed_in]
    assert len(signed_in) >= 10 and signed_out, (signed_in, signed_out)

    results = []
    sign_in_page(page, seeded.staff)
    for path in signed_in:
        results.append(check_page(page, path, f"{edition}-{page_name(pattern_of(path) or path)}"))
    anonymous = browser.new_context(base_url=live_server.url).new_page()
    try:
        for path in signed_out:
            results.append(check_page(anonymous, path, f"{edition}-signed-out-{page_name(pattern_of(path) or path)}"))
    finally:
        anonymous.context.close()

    summary = {
        "edition": edition,
        "pages": len(results),
        "pages_with_violations": sum(1 for r in results if r.violations["light"] or r.violations["dark"]),
        "violations": sum(len(v) for r in results for v in r.violations.values()),
        "violation_nodes": sum(r.nodes for r in results),
        "pages_overflowing_at_375": sum(1 for r in results if r.overflow_px > 0),
        "pages_overflowing_at_320": sum(1 for r in results if r.overflow_320_px > 0),
        "fields_named_only_by_placeholder": sum(len(r.placeholder_only) for r in results),
        "results": [r.__dict__ for r in results],
    }
    (screenshot_dir() / f"summary-{edition}.json").write_text(json.dumps(summary, indent=2))
    problems = [f"{r.path} ({r.pattern}): {theme}: {violation}"
                for r in results for theme, found in r.violations.items() for violation in found]
    problems += [f"{r.path} ({r.pattern}): scrolls {r.overflow_px} px sideways at 375 px"
                 for r in results if r.overflow_px > 0]
    problems += [f"{r.path} ({r.pattern}): scrolls {r.overflow_320_px} px sideways at 320 px"
                 for r in results if r.overflow_320_px > 0]
    problems += [f"{r.path} ({r.pattern}): at 1366 px these cards scroll sideways: {r.wide_cards_at_1366}"
                 for r in results if r.wide_cards_at_1366]
    problems += [f"{r.path} ({r.pattern}): {r.empty_headers} table header(s) without text"
                 for r in results if r.empty_headers]
    problems += [f"{r.path} ({r.pattern}): a choice not beside its text: {', '.join(r.choices_apart)}"
                 for r in results if r.choices_apart]
    problems += [f"{r.path} ({r.pattern}): labelled only by a placeholder: {', '.join(r.placeholder_only)}"
                 for r in results if r.placeholder_only]
    assert not problems, f"{len(problems)} problem(s) on {len(results)} pages:\n" + "\n".join(problems)


def check_page_as_role(page: Any, path: str, name: str) -> list[str]:
    """The lighter pass for the roles' crawls: 200, axe (light theme), 375 px, screenshots at 1366 and 375 px."""
    page.set_viewport_size(WIDE)
    response = page.goto(path)
    if response is None or response.status != 200:
        return [f"{path}: answered {response and response.status}"]
    problems = [f"{path}: {violation}" for violation in axe_violations(page)]
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(NARROW)
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"{path}: scrolls {overflow} px sideways at 375 px")
    screenshot(page, f"{name}-375")
    return problems


@pytest.mark.parametrize("role", ["owner", "member", "viewer"])
def test_every_link_a_role_sees_opens_and_passes_axe_and_fits_375_px(role, edition, seeded, page, sign_in_page):
    """An owner who is not staff, a member and a viewer: every link their pages show them answers 200
    (never "Not allowed"), and each page they reach passes axe and the 375 px check."""
    person = seeded.people[role]
    client = Client()
    client.force_login(person)
    found = discover_pages(client, ["/"])
    assert len(found.pages) >= 3, found.pages
    assert not found.refused, f"{role} is shown links that refuse them: {found.refused}"
    assert seeded.organization.slug in " ".join(found.pages), found.pages

    sign_in_page(page, person)
    problems = []
    for path in found.pages:
        problems += check_page_as_role(page, path, f"{edition}-{role}-{page_name(pattern_of(path) or path)}")
    (screenshot_dir() / f"summary-{edition}-{role}.json").write_text(
        json.dumps({"edition": edition, "role": role, "pages": found.pages, "problems": problems}, indent=2))
    assert not problems, f"{len(problems)} problem(s) on {len(found.pages)} pages as {role}:\n" + "\n".join(problems)
