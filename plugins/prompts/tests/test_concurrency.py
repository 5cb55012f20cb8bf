"""Concurrent edits on PostgreSQL: each gets its own version number (services mode only)."""

import threading

import pytest
from django.db import connection, connections

from anneal_prompts import services
from anneal_prompts.models import Prompt

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_edits_each_get_the_next_version_number(make_prompt):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    prompt_id = make_prompt(body="v1").pk
    start, errors = threading.Barrier(4), []

    def edit(text):
        try:
            start.wait()
            services.edit_prompt(Prompt.objects.select_related("project", "current_version").get(pk=prompt_id), text)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(f"edit {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    prompt = Prompt.objects.get(pk=prompt_id)
    assert sorted(prompt.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert prompt.current_version.number == 5
