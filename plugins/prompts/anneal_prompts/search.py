"""Full-text search of prompts: PostgreSQL's text search when available, else a portable match.

On PostgreSQL, names weigh more than descriptions, which weigh more than the current text;
words are stemmed with ``ANNEAL_PROMPTS_SEARCH_CONFIG`` (``english`` by default) and the query
accepts web-search syntax (``"exact phrase"``, ``-excluded``, ``or``). Elsewhere (SQLite),
every word of the query must appear, case-insensitively, in the name, description or text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from anneal_prompts.models import Prompt


def backend() -> str:
    """``"postgresql"`` or ``"portable"``: which search :func:`search` uses on this database."""
    return "postgresql" if connection.vendor == "postgresql" else "portable"


def search(prompts: QuerySet[Prompt], query: str) -> QuerySet[Prompt]:
    query = (query or "").strip()[:200]
    if not query:
        return prompts
    if backend() == "postgresql":
        return _postgresql(prompts, query)
    return _portable(prompts, query)


def _postgresql(prompts: QuerySet[Prompt], query: str) -> QuerySet[Prompt]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = getattr(settings, "ANNEAL_PROMPTS_SEARCH_CONFIG", "english")
    vector = (
        SearchVector("name", weight="A", config=config)
        + SearchVector("description", weight="B", config=config)
        + SearchVector("current_version__body", weight="C", config=config)
    )
    search_query = SearchQuery(query, search_type="websearch", config=config)
    return (
        prompts.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(search=search_query)
        .order_by("-rank", "name")
    )


def _portable(prompts: QuerySet[Prompt], query: str) -> QuerySet[Prompt]:
    for word in query.split()[:10]:
        prompts = prompts.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(current_version__body__icontains=word)
        )
    return prompts.order_by("name")
