"""Checks run on pages in the browser suite: axe-core (WCAG 2.1 A and AA), horizontal overflow, screenshots.

* ``axe_violations(page)``: inject axe-core (``tests/browser/node_modules``, installed by ``./dev test``)
  and return the WCAG 2.1 A/AA violations of the page as it is now.
* ``horizontal_overflow(page)``: how many CSS pixels the page itself scrolls sideways (0 is good;
  a table scrolling inside its card does not count).
* ``cards_scrolling_sideways(page)``: cards whose content does not fit them.
* ``empty_table_headers(page)``: ``<th>`` cells without text.
* ``fields_named_only_by_placeholder(page)``: inputs whose only visible name is their placeholder.
* ``choices_apart_from_their_text(scope)``: checkboxes and radio buttons not drawn beside their label's text.
* ``screenshot(page, name)``: a full-page PNG in ``screenshot_dir()`` (``ANNEAL_SCREENSHOT_DIR``,
  default ``test-artifacts/screenshots`` in the checkout).
* ``discover_pages(client, start)``: the HTML pages reachable by following links from ``start``
  with a Django test client, one address per URL pattern.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

from core.wording import counted

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = Path(os.environ.get("ANNEAL_AXE_SCRIPT")
                  or ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Addresses that are not Anneal's own pages: the Django admin is Django's, static files are files.
NOT_ANNEAL_PAGES = ("/admin/", "/static/")


def screenshot_dir() -> Path:
    """Where screenshots go: ``ANNEAL_SCREENSHOT_DIR`` or ``test-artifacts/screenshots``."""
    configured = os.environ.get("ANNEAL_SCREENSHOT_DIR")
    folder = Path(configured) if configured else ROOT / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"axe-core is not installed at {AXE_SCRIPT}; `./dev test` installs it "
                           "(npm ci in tests/browser), or point ANNEAL_AXE_SCRIPT at an axe.min.js.")
    return AXE_SCRIPT.read_text()


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:3]) + (f" (+{len(self.targets) - 3} more)" if len(self.targets) > 3 else "")
        return f"{self.rule} ({self.impact}, {counted(len(self.targets), 'node')}): {self.help} -> {shown}"


def axe_violations(page: Any) -> list[Violation]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' '))}))",
        WCAG_TAGS,
    )
    return [Violation(v["id"], v["impact"], v["help"], tuple(v["targets"])) for v in result]


def horizontal_overflow(page: Any) -> int:
    """CSS pixels by which the page is wider than the viewport (what a reader would scroll sideways)."""
    return int(page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0)"
        " - document.documentElement.clientWidth"))


def cards_scrolling_sideways(page: Any) -> list[str]:
    """Cards whose content is wider than they are (on a wide screen, every table should fit)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.card'))
        .filter(c => c.scrollWidth > c.clientWidth + 1)
        .map(c => (c.querySelector('h2, h3, table[id]') || c).textContent.trim().slice(0, 40) || c.className)""")


def empty_table_headers(page: Any) -> int:
    """Table header cells with no text at all (an action column needs a visually hidden label)."""
    return int(page.evaluate("Array.from(document.querySelectorAll('th')).filter(th => !th.textContent.trim()).length"))


def fields_named_only_by_placeholder(page: Any) -> list[str]:
    """Form fields with a placeholder but no visible label (no <label>, no aria-labelledby): the hint
    vanishes as soon as someone types, and axe-core accepts a placeholder as a name."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('input[placeholder], textarea[placeholder]'))
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-labelledby'))
        .map(e => `${e.tagName.toLowerCase()}[name=${e.name}]`)""")


def choices_apart_from_their_text(scope: Any) -> list[str]:
    """Checkboxes and radio buttons inside ``scope`` (a Playwright locator) that are not drawn on the
    same line as their label's text, just left of it: a box drawn as a block above or away from its
    text reads as belonging to the line before. Each problem names the box and where both were drawn."""
    return scope.evaluate("""root => Array.from(root.querySelectorAll('input[type=checkbox], input[type=radio]'))
        .filter(box => box.getClientRects().length)
        .flatMap(box => {
            const label = box.closest('label') || (box.labels && box.labels[0]);
            const name = `${box.name}=${box.value}`;
            if (!label) return [`${name}: no label`];
            const range = document.createRange();
            if (label.contains(box)) { range.setStartAfter(box); range.setEnd(label, label.childNodes.length); }
            else range.selectNodeContents(label);
            const text = Array.from(range.getClientRects()).find(r => r.width > 0 && r.height > 0);
            if (!text) return [`${name}: its label has no text`];
            const b = box.getBoundingClientRect();
            const sameLine = b.top < text.bottom && b.bottom > text.top;
            const justLeft = text.left >= b.right - 1 && text.left - b.right <= 24;
            return sameLine && justLeft ? [] : [`${name}: box at (${Math.round(b.left)}, ${Math.round(b.top)}), `
                + `its text at (${Math.round(text.left)}, ${Math.round(text.top)})`];
        })""")


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG; fails when the file was not written (a reviewer would miss the page)."""
    path = screenshot_dir() / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    if not path.is_file() or path.stat().st_size == 0:
        raise AssertionError(f"the screenshot {path.name} was not written")
    return path


def page_name(path: str) -> str:
    """A file name for an address: ``/o/acme/members/`` -> ``o-acme-members``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


@dataclass
class Discovery:
    """Pages found by a crawl: one address per URL pattern, in the order they were found."""

    pages: list[str] = field(default_factory=list)
    patterns: dict[str, str] = field(default_factory=dict)  # URL pattern -> the address visited
    refused: dict[str, int] = field(default_factory=dict)  # linked address -> its status (4xx, 5xx)


def pattern_of(path: str) -> str | None:
    """The URL pattern (route) an address resolves to, or None when nothing serves it."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.url_name else match.route


def is_anneal_page(path: str) -> bool:
    return not path.startswith(NOT_ANNEAL_PAGES)


def discover_pages(client: Any, start: Iterable[str], limit: int = 200) -> Discovery:
    """Follow every same-site link from ``start`` (GET only) and keep the HTML pages that answer 200.

    Each URL pattern is visited once (the first address found for it), so a list of a hundred
    records costs one page, and a new page linked from anywhere is found without a list to update.
    """
    found = Discovery()
    queue = deque(start)
    seen: set[str] = set()
    while queue and len(found.pages) < limit:
        path = queue.popleft()
        if path in seen or not is_anneal_page(path):
            continue
        seen.add(path)
        pattern = pattern_of(path)
        if pattern is None or pattern in found.patterns:
            continue
        response = client.get(path)
        if response.status_code >= 400:
            found.refused[path] = response.status_code
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        found.patterns[pattern] = path
        found.pages.append(path)
        for href in links_of(response.content.decode()):
            parts = urlsplit(urljoin(path, href))
            if parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver") and parts.path:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found
