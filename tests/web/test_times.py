"""One format for times on every page: ``|when`` (readable, local in the browser, exact UTC on hover)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.template import Context, Template

from core.times import iso_utc, readable_utc, when

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "core", ROOT / "enterprise" / "anneal_enterprise", ROOT / "plugins"]
MOMENT = datetime(2026, 12, 1, 21, 45, 20, 504075, tzinfo=timezone.utc)


def test_a_datetime_renders_as_a_time_element_with_the_exact_utc_instant():
    html = str(when(MOMENT))
    assert html == ('<time datetime="2026-12-01T21:45:20.504075Z" title="2026-12-01T21:45:20.504075Z UTC" '
                    'data-local="datetime">1 Dec 2026, 21:45 UTC</time>')


def test_another_zone_a_naive_value_and_an_iso_string_all_mean_the_same_instant():
    in_berlin = MOMENT.astimezone(timezone(timedelta(hours=1)))
    assert when(in_berlin) == when(MOMENT)
    assert when(MOMENT.replace(tzinfo=None)) == when(MOMENT)
    assert when("2026-12-01T21:45:20.504075+00:00") == when(MOMENT)
    assert when("2026-12-01T21:45:20.504075Z") == when(MOMENT)


def test_a_date_has_no_time_and_no_value_renders_nothing():
    assert str(when(date(2027, 1, 1))) == '<time datetime="2027-01-01" data-local="date">1 Jan 2027</time>'
    assert when(None) == "" and when("") == ""
    assert when("not a time") == "not a time"  # a mistake stays visible


def test_exports_use_the_exact_iso_text_and_emails_the_readable_one():
    assert iso_utc(MOMENT.replace(microsecond=0)) == "2026-12-01T21:45:20Z"
    assert readable_utc(MOMENT) == "1 Dec 2026, 21:45 UTC"


def test_every_template_has_the_filter_without_loading_it():
    rendered = Template("{{ moment|when }}").render(Context({"moment": MOMENT}))
    assert 'datetime="2026-12-01T21:45:20.504075Z"' in rendered


def _templates() -> list[Path]:
    return [path for base in TEMPLATE_DIRS for path in base.rglob("templates/**/*") if path.is_file()
            and path.suffix in {".html", ".txt"} and ".venv" not in path.parts]


TIME_NAME = re.compile(r"\b\w*(_at|_since|_until|_on|date_joined|last_login|last_contact)\b")
OUTPUT = re.compile(r"{{\s*(.*?)\s*}}")


def test_no_template_formats_a_time_itself_or_prints_one_raw():
    problems = []
    for path in _templates():
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            for match in OUTPUT.finditer(line):
                if line[max(0, match.start() - 7):match.start()] == 'value="':
                    continue  # a form field's value: the date the person typed, in the field's own format
                expression = match.group(1)
                variable, _, filters = expression.partition("|")
                formats_itself = re.search(r"\|\s*(date|time)\s*:", "|" + filters) or "slice" in filters
                if TIME_NAME.search(variable.split(".")[-1]) and (not filters.startswith("when") or formats_itself):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {{{{ {expression} }}}}")
                elif re.search(r"(^|\|)\s*(date|time)\s*:", filters):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {{{{ {expression} }}}}")
    assert len(_templates()) > 40
    assert problems == [], "times must go through |when:\n" + "\n".join(problems)


ISO_OR_OTHER = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{4}-\d{2}-\d{2}\b")


def visible_text(html: str) -> str:
    """The page without attributes (where the exact ISO instant belongs) and without forms' values."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def populated(make_user, make_organization, make_member):
    from core.services import invitations, projects, tokens

    owner = make_user(email="owner@example.com")
    organization = make_organization(name="Acme", owner=owner)
    projects.create_project(organization, "Rocket")
    invitations.invite(organization, "new@example.com", "member", owner)
    tokens.create_token(owner, "ci", expires_at=datetime.now(timezone.utc) + timedelta(days=30))
    owner.last_login = MOMENT
    owner.save()
    return owner, organization


def test_core_pages_show_times_only_through_the_filter(populated, web_client_for):
    owner, organization = populated
    client = web_client_for(owner)
    for url in ["/profile/", f"/o/{organization.slug}/", f"/o/{organization.slug}/p/rocket/",
                f"/o/{organization.slug}/members/", "/tokens/"]:
        html = client.get(url).content.decode()
        assert "<time datetime=" in html, url
        assert ISO_OR_OTHER.findall(visible_text(html)) == [], url
