"""Counts in sentences: "1 signed checkpoint", "2 days", never "day(s)"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

from core.wording import counted


@pytest.mark.parametrize("number, noun, plural, expected", [
    (0, "day", None, "0 days"), (1, "day", None, "1 day"), (7, "day", None, "7 days"),
    (1, "time", None, "1 time"), (2, "entry", "entries", "2 entries"), (1, "entry", "entries", "1 entry"),
])
def test_a_count_agrees_with_its_noun(number, noun, plural, expected):
    assert counted(number, noun, plural) == expected


def test_the_system_page_counts_failed_checks(web_client_for, make_user, anneal_plugin):
    from core.plugins import HealthCheck, HealthCheckResult, hookimpl

    class Failing:
        @hookimpl
        def anneal_health_checks(self):
            return [HealthCheck("broken-thing", "Always fails.", lambda: HealthCheckResult(False, "no"))]

    anneal_plugin(Failing(), name="failing-check")
    page = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    assert "check(s)" not in page
    assert "1 check failed." in page or " checks failed." in page


ROOT = Path(__file__).resolve().parents[1]
# What a person reads in the browser: every template, and the Python of the web layer, the health
# checks shown on the System page and the enterprise and plugin packages (views, forms, models' help
# texts, service errors shown on a form). Command-line tools and migrations are not pages.
READ_IN_THE_BROWSER = [ROOT / "core" / "web", ROOT / "core" / "builtin", ROOT / "enterprise" / "anneal_enterprise",
                       *ROOT.glob("plugins/*/anneal_*")]
NOT_PAGES = ("/migrations/", "/management/commands/", "/offline.py")
# "day(s)", "time(s)": a count that does not agree with its noun. A regex's optional "s" ("key(s)?") is no text.
UNAGREED_COUNT = re.compile(r"[a-z]\(s\)(?!\?)")


def texts_read_in_the_browser() -> Iterator[tuple[str, str]]:
    for folder in READ_IN_THE_BROWSER:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt", ".py") and not any(part in path.as_posix() for part in NOT_PAGES):
                yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_no_page_text_counts_with_parentheses_or_says_one_a_line():
    problems = [f"{name}:{number}: {line.strip()}"
                for name, text in texts_read_in_the_browser()
                for number, line in enumerate(text.splitlines(), 1)
                if UNAGREED_COUNT.search(line.replace("http(s)", "")) or "one a line" in line]
    assert not problems, "\n".join(problems)


def test_the_guard_sees_a_count_in_parentheses():
    assert UNAGREED_COUNT.search("deleted 7 day(s) after") and not UNAGREED_COUNT.search(r"(^|[_.])key(s)?($|[_.])")
