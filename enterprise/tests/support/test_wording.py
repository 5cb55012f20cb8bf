"""Support pages say counts in plain English and offer each collector once."""

from __future__ import annotations

import pytest

from anneal_enterprise.support import bundles, collectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days, text", [("7", "deleted 7 days after"), ("1", "deleted 1 day after")])
def test_the_bundles_page_counts_days_without_parentheses(staff_client, support_licensed, monkeypatch, days, text):
    monkeypatch.setenv("ANNEAL_SUPPORT_BUNDLE_DAYS", days)
    page = staff_client.get("/plugins/enterprise/support/bundles/").content.decode()
    assert text in page and "day(s)" not in page
    assert "Other age public keys, one per line" in page and "one a line" not in page


def test_the_form_lists_the_license_collector_once(staff_client, support_licensed):
    page = staff_client.get("/plugins/enterprise/support/bundles/").content.decode()
    assert page.count('value="license"') == 1 and "enterprise.license" not in page
    assert [key for key in collectors.registry() if "license" in key] == ["license"]


def test_a_bundle_says_how_often_it_was_downloaded(build, staff_client, support_licensed):
    bundle = build(["versions"])
    url = f"/plugins/enterprise/support/bundles/{bundle.pk}/"
    assert "not downloaded yet" in staff_client.get(url).content.decode()
    bundles.record_download(bundle)
    once = staff_client.get(url).content.decode()
    assert "downloaded 1 time</p>" in once
    assert "time(s)" not in once and "key(s)" not in once


def test_the_support_upgrade_prompt_agrees_with_its_plural_subject(staff_client):
    page = staff_client.get("/plugins/enterprise/support/bundles/").content.decode()
    assert "Support access and bundles are part of Anneal Enterprise." in page
