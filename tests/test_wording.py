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
# What a person reads: in the browser (templates, the web layer, the health checks on the System page, the
# enterprise and plugin packages' views, forms, help texts and service errors) and at the command line (management
# commands and their help, what the backup, upgrade and release checks print, the offline verifiers, the vendor
# tools). That is all of the product's code; only migrations are left out, they keep the texts of their day.
READ_BY_A_PERSON = [ROOT / "core", ROOT / "enterprise" / "anneal_enterprise", ROOT / "enterprise" / "tools",
                    *ROOT.glob("plugins/*/anneal_*")]
NOT_READ = ("/migrations/",)
# "day(s)", "time(s)": a count that does not agree with its noun. A regex's optional "s" ("key(s)?") is no text.
UNAGREED_COUNT = re.compile(r"[a-z]\(s\)(?!\?)")


def texts_read_by_a_person() -> Iterator[tuple[str, str]]:
    for folder in READ_BY_A_PERSON:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt", ".py") and not any(part in path.as_posix() for part in NOT_READ):
                yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_no_page_or_command_output_counts_with_parentheses_or_says_one_a_line():
    problems = [f"{name}:{number}: {line.strip()}"
                for name, text in texts_read_by_a_person()
                for number, line in enumerate(text.splitlines(), 1)
                if UNAGREED_COUNT.search(line.replace("http(s)", "")) or "one a line" in line]
    assert not problems, "\n".join(problems)


def test_the_guard_sees_a_count_in_parentheses():
    assert UNAGREED_COUNT.search("deleted 7 day(s) after") and not UNAGREED_COUNT.search(r"(^|[_.])key(s)?($|[_.])")


@pytest.mark.parametrize("command_line_code", [
    "core/management/commands/doctor.py", "core/management/commands/upgrade.py", "core/management/commands/backup.py",
    "core/backups/manifest.py", "core/upgrade/checks.py", "core/cli_help.py",
    "enterprise/anneal_enterprise/audit/management/commands/audit.py", "enterprise/anneal_enterprise/audit/offline.py",
    "enterprise/tools/verify_usage_report.py",
])
def test_the_guard_reads_what_the_command_line_prints(command_line_code):
    assert command_line_code in {name for name, _ in texts_read_by_a_person()}
