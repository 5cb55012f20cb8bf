import pytest

from anneal_prompts import diff, services

pytestmark = pytest.mark.django_db


def test_the_diff_shows_removed_and_added_lines_between_two_versions(make_prompt):
    prompt = make_prompt(body="You are helpful.\nAnswer briefly.\nSign as Bot.")
    services.edit_prompt(prompt, "You are helpful.\nAnswer in detail.\nSign as Bot.")
    old, new = prompt.versions.get(number=1), prompt.versions.get(number=2)

    text = diff.unified(old, new)
    assert text.startswith("--- version 1\n+++ version 2\n")
    assert "-Answer briefly.\n" in text and "+Answer in detail.\n" in text and " You are helpful.\n" in text
    kinds = [(line.kind, line.text) for line in diff.lines(old, new)]
    assert ("removed", "-Answer briefly.") in kinds and ("added", "+Answer in detail.") in kinds
    assert kinds[0] == ("header", "--- version 1") and kinds[2][0] == "hunk"


def test_the_diff_of_identical_texts_is_empty(make_prompt):
    prompt = make_prompt(body="a")
    services.edit_prompt(prompt, "b")
    services.rollback(prompt, 1)
    assert diff.unified(prompt.versions.get(number=1), prompt.versions.get(number=3)) == ""
