import pytest

from anneal_prompts import services
from anneal_prompts.models import ImmutableVersion, Prompt, PromptVersion

pytestmark = pytest.mark.django_db


def test_creating_a_prompt_writes_version_one(make_prompt, owner):
    prompt = make_prompt(body="Hello!")
    version = prompt.current_version
    assert (version.number, version.body, version.created_by, version.note) == (1, "Hello!", owner, "First version")


def test_each_edit_adds_a_version_and_keeps_the_old_text(make_prompt, owner):
    prompt = make_prompt(body="one")
    services.edit_prompt(prompt, "two", note="shorter", author=owner)
    services.edit_prompt(prompt, "three", author=owner)

    assert list(prompt.versions.values_list("number", "body")) == [(3, "three"), (2, "two"), (1, "one")]
    assert Prompt.objects.get().current_version.number == 3
    assert prompt.versions.get(number=2).note == "shorter"


def test_saving_the_same_text_again_is_refused(make_prompt):
    prompt = make_prompt(body="same")
    with pytest.raises(services.PromptError, match="same as the current version"):
        services.edit_prompt(prompt, "same")
    assert prompt.versions.count() == 1


def test_a_version_cannot_be_changed_or_deleted(make_prompt):
    version = make_prompt().current_version
    version.body = "rewritten history"
    with pytest.raises(ImmutableVersion):
        version.save()
    with pytest.raises(ImmutableVersion):
        version.delete()
    assert PromptVersion.objects.get().body != "rewritten history"


def test_rollback_writes_a_new_version_with_the_old_text(make_prompt, owner):
    prompt = make_prompt(body="first")
    services.edit_prompt(prompt, "second", author=owner)
    version = services.rollback(prompt, 1, author=owner)

    assert (version.number, version.body, version.restored_from) == (3, "first", 1)
    assert version.note == "Rolled back to version 1"
    assert prompt.versions.count() == 3 and prompt.current_version == version


def test_rolling_back_to_a_missing_or_identical_version_is_refused(make_prompt):
    prompt = make_prompt(body="first")
    with pytest.raises(services.PromptError, match="no version 7"):
        services.rollback(prompt, 7)
    with pytest.raises(services.PromptError, match="same text"):
        services.rollback(prompt, 1)


@pytest.mark.parametrize("body, message", [("", "needs some text"), ("   \n ", "needs some text"),
                                           ("x" * 100_001, "at most")])
def test_empty_or_oversized_text_is_refused(make_prompt, body, message):
    with pytest.raises(services.PromptError, match=message):
        make_prompt(body=body)
    assert not Prompt.objects.exists()


def test_two_prompts_of_a_project_cannot_share_a_slug(make_prompt):
    make_prompt(name="Greeting")
    with pytest.raises(services.PromptError, match="already has a prompt 'greeting'"):
        make_prompt(name="greeting!")


def test_every_change_emits_an_event_of_the_organization(make_prompt, owner, organization, captured_events):
    prompt = make_prompt(body="one")
    services.edit_prompt(prompt, "two", author=owner)
    services.rollback(prompt, 1, author=owner)
    services.update_details(prompt, name="Welcome")
    services.delete_prompt(prompt)

    assert [e.type for e in captured_events] == [
        "prompt.created", "prompt.version_created", "prompt.rolled_back", "prompt.updated", "prompt.deleted"]
    assert {e.organization_id for e in captured_events} == {organization.pk}
    assert captured_events[1].diff == {"version": [1, 2]}
    assert captured_events[2].data["restored_from"] == 1
    assert captured_events[3].diff == {"name": ["Greeting", "Welcome"]}
    assert captured_events[4].data["versions"] == 3
    assert not Prompt.objects.exists() and not PromptVersion.objects.exists()


def test_a_failing_event_hook_rolls_the_edit_back(make_prompt, anneal_plugin):
    from core.plugins import hookimpl

    prompt = make_prompt(body="one")

    class Refuses:
        @hookimpl
        def anneal_event(self, event):
            raise RuntimeError("audit log unavailable")

    anneal_plugin(Refuses())
    with pytest.raises(RuntimeError):
        services.edit_prompt(prompt, "two")
    assert list(prompt.versions.values_list("number", flat=True)) == [1]
    assert Prompt.objects.get().current_version.number == 1


def test_the_database_refuses_to_change_a_versions_text_even_in_bulk(make_prompt):
    from django.db import DatabaseError, transaction

    version = make_prompt(body="original").current_version
    with pytest.raises(DatabaseError, match="immutable"):
        with transaction.atomic():
            PromptVersion.objects.filter(pk=version.pk).update(body="rewritten")
    assert PromptVersion.objects.get().body == "original"


def test_deleting_an_author_keeps_their_versions(make_prompt, make_user):
    author = make_user()
    prompt = make_prompt(body="one")
    services.edit_prompt(prompt, "two", author=author)
    author.delete()
    version = prompt.versions.get(number=2)
    assert (version.body, version.created_by) == ("two", None)
