"""Counts in sentences: "1 signed checkpoint", "2 days", never "day(s)"."""

from __future__ import annotations

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
