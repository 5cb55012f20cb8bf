"""Full-text search: PostgreSQL's text search in services mode, the portable match on SQLite."""

import pytest

from anneal_prompts import search, services
from anneal_prompts.models import Prompt

pytestmark = pytest.mark.django_db


@pytest.fixture
def prompts(make_prompt):
    make_prompt("Email summary", "Summarize the customer's emails in three bullet points.")
    make_prompt("Refund policy", "Explain our refund rules politely.", description="Billing questions")
    old = make_prompt("Translator", "Translate the ticket into French.")
    services.edit_prompt(old, "Translate the ticket into German.")


def names(query):
    return [p.name for p in search.search(Prompt.objects.all(), query)]


def test_search_finds_prompts_by_their_current_text_not_by_old_versions(prompts):
    assert names("German") == ["Translator"]
    assert names("French") == []


def test_search_matches_names_and_descriptions(prompts):
    assert names("refund") == ["Refund policy"]
    assert names("billing") == ["Refund policy"]


def test_every_word_must_match(prompts):
    assert names("translate ticket") == ["Translator"]
    assert names("translate refund") == []


def test_an_empty_query_returns_everything_and_hostile_queries_are_harmless(prompts):
    assert len(names("   ")) == 3
    for query in ["' OR 1=1 --", "%", "_", "\\", "a:*", "!!!", "(", "'; DROP TABLE x; --", "x" * 5000]:
        assert names(query) == [], query


def test_postgresql_search_stems_words_and_ranks_descriptions_above_text(prompts, make_prompt):
    if search.backend() != "postgresql":
        pytest.skip("PostgreSQL full-text search runs in services mode")
    assert names("summarizing emails") == ["Email summary"]
    assert names('"three bullet" -refund') == ["Email summary"]
    make_prompt("Weekly digest", "Mention any billing changes.")
    assert names("billing") == ["Refund policy", "Weekly digest"]  # description weighs more than text


def test_the_portable_search_matches_parts_of_words(prompts):
    if search.backend() != "portable":
        pytest.skip("the portable search runs on SQLite")
    assert names("mmariz") == ["Email summary"]
    assert names("REFUND") == ["Refund policy"]
