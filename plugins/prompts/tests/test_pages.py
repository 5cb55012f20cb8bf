import re

import pytest

from anneal_prompts.models import Prompt

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_client(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_the_organization_navigation_links_to_prompts(browser_client, member_with, organization):
    page = browser_client(member_with("viewer")).get(f"/o/{organization.slug}/")
    assert f'href="/plugins/prompts/o/{organization.slug}/"' in page.content.decode()


def test_the_project_page_lists_its_prompts_in_the_project_slot(browser_client, owner, organization, project,
                                                                 make_prompt):
    make_prompt("Greeting")
    html = browser_client(owner).get(f"/o/{organization.slug}/p/{project.slug}/").content.decode()
    assert 'data-plugin="prompts"' in html and "Greeting" in html and "Manage prompts of Support bot" in html


def test_a_viewer_sees_prompts_but_is_refused_an_edit(browser_client, member_with, organization, project,
                                                      make_prompt):
    make_prompt(body="original")
    client = browser_client(member_with("viewer"))
    url = f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/"
    page = client.get(url)
    assert page.status_code == 200 and "original" in page.content.decode()
    assert "Save new version" not in page.content.decode()
    refused = client.post(url, {"action": "edit", "body": "vandalised"})
    assert refused.status_code == 403 and "member or higher" in refused.content.decode()
    assert Prompt.objects.get().current_version.body == "original"


def test_a_member_cannot_delete_but_an_admin_can(browser_client, member_with, organization, project, make_prompt):
    make_prompt()
    url = f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/"
    assert browser_client(member_with("member")).post(url, {"action": "delete"}).status_code == 403
    assert browser_client(member_with("admin")).post(url, {"action": "delete"}).status_code == 302
    assert not Prompt.objects.exists()


def test_a_non_member_gets_404_and_a_visitor_is_sent_to_sign_in(client, browser_client, make_user, organization):
    url = f"/plugins/prompts/o/{organization.slug}/"
    assert client.get(url).status_code == 302
    assert browser_client(make_user()).get(url).status_code == 404


def test_the_diff_page_marks_added_and_removed_lines(browser_client, owner, organization, project, make_prompt):
    from anneal_prompts import services

    prompt = make_prompt(body="keep\nold line")
    services.edit_prompt(prompt, "keep\nnew line")
    html = browser_client(owner).get(
        f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/diff/?from=1&to=2").content.decode()
    assert '<span class="diff-removed bad">-old line</span>' in html
    assert '<span class="diff-added ok">+new line</span>' in html
    assert browser_client(owner).get(
        f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/diff/?from=x").status_code == 404


def test_a_prompt_page_shows_its_versions_a_page_at_a_time_with_the_same_queries(browser_client, owner,
                                                                                  organization, project, make_prompt):
    import re
    from html import unescape

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anneal_prompts.models import PromptVersion

    client, counts, html = browser_client(owner), {}, ""
    for size in (3, 300):
        prompt = make_prompt(name=f"Prompt {size}")
        PromptVersion.objects.bulk_create([PromptVersion(prompt=prompt, number=n, body=f"v{n}", created_by=owner)
                                           for n in range(2, size + 1)])
        url = f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/{prompt.slug}/"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        counts[size] = len([q for q in captured.captured_queries if "licensestate" not in q["sql"]
                            and "core_sharedversion" not in q["sql"]])
    assert counts[3] == counts[300]
    assert re.findall(r'<tr class="version" data-number="(\d+)"', html) == [str(n) for n in range(300, 250, -1)]
    older = unescape(re.search(r'<a rel="next" href="([^"]+)"', html).group(1))
    second = client.get(url + older).content.decode()
    assert re.findall(r'<tr class="version" data-number="(\d+)"', second)[0] == "250"


def _with_versions(prompt, count):
    from anneal_prompts.models import PromptVersion

    PromptVersion.objects.bulk_create(PromptVersion(prompt=prompt, number=n, body=f"text {n}")
                                      for n in range(2, count + 1))
    prompt.current_version = prompt.versions.get(number=count)
    prompt.save(update_fields=["current_version"])


def _diff_page(client, organization, project, query=""):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/diff/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    menus = [[int(n) for n in re.findall(r"<option(?: selected)?>(\d+)</option>", menu)]
             for menu in re.findall(r'<select name="(?:from|to)".*?</select>', html)]
    clock_driven = ("core_sharedversion", "licensestate")  # the once-a-second polls of whatever changed
    return html, menus, len([q for q in queries.captured_queries if not any(t in q["sql"] for t in clock_driven)])


def test_a_prompt_with_few_versions_offers_them_all_and_no_number_field(browser_client, owner, organization, project,
                                                                         make_prompt):
    _with_versions(make_prompt(body="text 1"), 5)

    html, menus, _ = _diff_page(browser_client(owner), organization, project)

    assert menus == [[5, 4, 3, 2, 1]] * 2 and 'id="older-version"' not in html


@pytest.mark.parametrize("query", ["", "?from=3&to=250"])
def test_the_diff_menus_offer_the_newest_versions_and_the_two_compared_in_the_same_queries_at_any_count(
        browser_client, owner, organization, project, make_prompt, query):
    from anneal_prompts.web import DIFF_CHOICES

    prompt = make_prompt(body="text 1")
    _with_versions(prompt, 250)
    client = browser_client(owner)
    _, _, at_250 = _diff_page(client, organization, project, query)
    _with_more_versions(prompt, 250, 3000)

    html, menus, at_3000 = _diff_page(client, organization, project, query)

    newest = list(range(3000, 3000 - DIFF_CHOICES, -1))
    expected = sorted({*newest, 3, 250}, reverse=True) if query else newest
    assert menus == [expected, expected]
    assert at_3000 == at_250  # the same statements at 250 and at 3,000 versions
    assert 'id="older-version"' in html and '<input type="number" name="from"' in html


def _with_more_versions(prompt, after, count):
    from anneal_prompts.models import PromptVersion

    PromptVersion.objects.bulk_create(PromptVersion(prompt=prompt, number=n, body=f"text {n}")
                                      for n in range(after + 1, count + 1))
    prompt.current_version = prompt.versions.get(number=count)
    prompt.save(update_fields=["current_version"])


def test_an_older_version_picked_by_number_is_compared(browser_client, owner, organization, project, make_prompt):
    _with_versions(make_prompt(body="text 1"), 300)

    html, menus, _ = _diff_page(browser_client(owner), organization, project, "?to=300&from=2")

    assert "<h1>Changes from v2 to v300</h1>" in html and "-text 2" in html and "+text 300" in html
    assert 2 in menus[0] and len(menus[0]) <= 22
def test_the_new_prompt_form_is_the_form_component_with_the_projects_to_choose_from(browser_client, owner,
                                                                                   organization, project):
    import re

    index = browser_client(owner).get(f"/plugins/prompts/o/{organization.slug}/").content.decode()
    for label in ('for="id_project">Project', 'for="id_name">Name', 'for="id_body">Text',
                  'for="id_description">Description <span class="muted">(optional)</span>'):
        assert f"<label {label}" in index
    assert re.search(rf'<select name="project" id="id_project">\s*<option value="{project.slug}">', index)
    own = browser_client(owner).get(f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/").content.decode()
    assert 'for="id_name">Name' in own and 'name="project"' not in own  # the project is the page's


def test_a_refused_new_prompt_shows_the_reason_by_the_field_and_keeps_the_text(browser_client, owner, organization,
                                                                                project, make_prompt):
    import re

    make_prompt("Greeting")
    url = f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/"
    response = browser_client(owner).post(url, {"name": "Greeting", "description": "again", "body": "  Hi!\n"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<div class="form-error" id="id_name_error" role="alert">This project already has a prompt '
                     r'&#x27;greeting&#x27;', html)
    assert re.search(r'<input type="text" name="name" value="Greeting"[^>]*aria-invalid="true"', html)
    assert 'value="again"' in html and ">\n  Hi!\n</textarea>" in html  # the text as typed, spaces kept
    assert Prompt.objects.count() == 1


def test_a_refused_edit_re_renders_the_prompt_with_the_typed_note_and_the_reason_by_the_text(browser_client, owner,
                                                                                          organization, project,
                                                                                          make_prompt):
    import re

    make_prompt(body="same")
    url = f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/"
    page = browser_client(owner).get(url).content.decode()
    assert '<label for="id_body">Text</label>' in page and ">\nsame</textarea>" in page
    assert '<label for="id_note">What changed <span class="muted">(optional)</span></label>' in page
    response = browser_client(owner).post(url, {"action": "edit", "body": "same", "note": "typo fix"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_body_error" role="alert">The text is the same as the current version', html)
    assert 'value="typo fix"' in html
    details = browser_client(owner).post(url, {"action": "details", "name": "  ", "description": "kept"})
    assert details.status_code == 400 and 'id="id_name_error" role="alert">' in details.content.decode()
    assert 'value="kept"' in details.content.decode() and Prompt.objects.get().name == "Greeting"


@pytest.mark.parametrize("body, message", [
    ("name=Hi%00&body=x", "NUL character"),
    ("name=" + "x" * 201 + "&body=x", "at most 200 characters"),
    ("name=Hi&body=x&project=no-such-project", "Select a valid choice"),
])
def test_hostile_new_prompts_are_refused_with_a_clear_400(browser_client, owner, organization, project, body, message):
    response = browser_client(owner).post(f"/plugins/prompts/o/{organization.slug}/", body,
                                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and message in response.content.decode()
    assert not Prompt.objects.exists()
