import pytest

from anneal_webhooks.models import Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback")]


@pytest.fixture
def organization(make_organization):
    return make_organization(name="Acme")


def signed_in(client, user):
    client.force_login(user)
    return client


def test_only_admins_see_the_webhooks_link_and_page(client, make_member, organization):
    admin_page = signed_in(client, make_member(organization, "admin")).get(f"/o/{organization.slug}/")
    assert f'href="/plugins/webhooks/o/{organization.slug}/endpoints/"' in admin_page.content.decode()

    member = make_member(organization, "member")
    member_page = signed_in(client, member).get(f"/o/{organization.slug}/")
    assert "/plugins/webhooks/" not in member_page.content.decode()
    assert client.get(f"/plugins/webhooks/o/{organization.slug}/endpoints/").status_code == 403


def test_a_non_member_gets_404(client, make_user, organization):
    response = signed_in(client, make_user()).get(f"/plugins/webhooks/o/{organization.slug}/endpoints/")
    assert response.status_code == 404


def test_an_admin_subscribes_sees_the_secret_once_then_disables_and_deletes(client, make_member, organization,
                                                                            receiver):
    client = signed_in(client, make_member(organization, "admin"))
    base = f"/plugins/webhooks/o/{organization.slug}/endpoints/"
    response = client.post(base, {"url": receiver.url, "event_types": ["project.created", "project.deleted"]})
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and endpoint.event_types == ["project.created", "project.deleted"]

    detail = f"{base}{endpoint.pk}/"
    assert endpoint.secret in client.get(detail).content.decode()
    assert endpoint.secret not in client.get(detail).content.decode()

    client.post(detail, {"action": "disable"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    client.post(detail, {"action": "delete"})
    assert not Endpoint.objects.exists()


def test_a_refused_url_is_explained_and_nothing_is_saved(client, make_member, organization):
    client = signed_in(client, make_member(organization, "owner"))
    response = client.post(f"/plugins/webhooks/o/{organization.slug}/endpoints/",
                           {"url": "http://10.0.0.1/", "event_types": ["project.created"]}, follow=True)
    assert "refused by the outbound policy" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_retry_sweep_is_scheduled_as_a_periodic_task():
    from core.jobs import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "anneal_webhooks.deliver_due" in tasks


def test_the_delivery_log_pages_with_the_same_queries_at_3_and_at_300_deliveries(client, make_member,
                                                                                  organization, receiver):
    import re
    import uuid
    from datetime import timedelta
    from html import unescape

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from anneal_webhooks import services
    from anneal_webhooks.models import Delivery

    client = signed_in(client, make_member(organization, "admin"))
    now, counts, pages = timezone.now(), {}, {}
    for size in (3, 300):
        endpoint = services.create_endpoint(organization, receiver.url, ["project.created"])
        Delivery.objects.bulk_create([Delivery(endpoint=endpoint, event_id=uuid.uuid4(), event_type="project.created",
                                               body="{}", created_at=now - timedelta(seconds=n)) for n in range(size)])
        url = f"/plugins/webhooks/o/{organization.slug}/endpoints/{endpoint.pk}/"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        counts[size] = len([q for q in captured.captured_queries if "licensestate" not in q["sql"]
                            and "core_sharedversion" not in q["sql"]])
        pages[size] = (url, response.content.decode())
    assert counts[3] == counts[300]
    url, html = pages[300]
    assert html.count('<tr class="delivery"') == 50
    older = unescape(re.search(r'<a rel="next" href="([^"]+)"', html).group(1))
    second = client.get(url + older).content.decode()
    assert second.count('<tr class="delivery"') == 50
    first_ids = set(re.findall(r'name="delivery" value="([^"]+)"', html))
    assert first_ids.isdisjoint(re.findall(r'name="delivery" value="([^"]+)"', second))


def test_events_to_send_is_a_checkbox_group_one_titled_group_per_category(client, make_member, organization):
    import re

    from anneal_webhooks import services

    client = signed_in(client, make_member(organization, "admin"))
    html = client.get(f"/plugins/webhooks/o/{organization.slug}/endpoints/").content.decode()
    assert '<label for="id_url">URL</label>' in html
    assert re.search(r'<label for="id_all_events"><input type="checkbox" name="all_events" id="id_all_events"> '
                     r'Send every event', html)
    group = re.search(r'<fieldset class="field choices"[^>]*>\s*<legend>Events to send', html)
    assert group
    categories = re.findall(r'<fieldset class="choice-group"><legend>([^<]+)</legend><div class="choices-grid">', html)
    types = services.subscribable_event_types()
    assert categories == sorted({t.category for t in types.values()}) and len(categories) > 1
    assert html.count('name="event_types"') == len(types) > 50
    assert re.search(r'<label for="id_event_types_\d+_\d+"><input type="checkbox" name="event_types" '
                     r'value="project.created"[^>]*>\s*<code title="[^"]+">project.created</code></label>', html)


def test_a_refused_endpoint_shows_the_reason_by_the_url_and_keeps_what_was_chosen(client, make_member,
                                                                                  organization):
    import re

    client = signed_in(client, make_member(organization, "owner"))
    response = client.post(f"/plugins/webhooks/o/{organization.slug}/endpoints/",
                           {"url": "http://10.0.0.1/", "description": "ops", "event_types": ["project.deleted"]})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<div class="form-error" id="id_url_error" role="alert">[^<]*refused by the outbound policy',
                     html)
    assert re.search(r'<input type="url" name="url" value="http://10.0.0.1/"[^>]*aria-invalid="true"', html)
    assert 'value="ops"' in html and re.search(r'value="project.deleted"[^>]*checked', html)
    nothing = client.post(f"/plugins/webhooks/o/{organization.slug}/endpoints/", {"url": "https://example.com/"})
    assert nothing.status_code == 400
    assert 'id="id_event_types_error" role="alert">Choose at least one event type' in nothing.content.decode()
    assert not Endpoint.objects.exists()


def test_the_settings_form_shows_the_endpoints_events_and_a_refused_change_keeps_the_typed_values(
        client, make_member, organization, receiver):
    import re

    from anneal_webhooks import services

    endpoint = services.create_endpoint(organization, receiver.url, ["project.created"])
    client = signed_in(client, make_member(organization, "admin"))
    detail = f"/plugins/webhooks/o/{organization.slug}/endpoints/{endpoint.pk}/"
    html = client.get(detail).content.decode()
    assert re.findall(r'value="([\w.]+)"[^>]*checked', html) == ["project.created"]
    assert re.search(r'name="all_events" id="id_all_events">', html)  # not checked
    response = client.post(detail, {"url": "https://10.0.0.1/", "description": "new", "all_events": "on"})
    assert response.status_code == 400
    assert 'id="id_url_error" role="alert">' in response.content.decode()
    assert re.search(r'name="all_events" id="id_all_events" checked', response.content.decode())
    assert '<h1>' + receiver.url in response.content.decode()  # the saved endpoint, not the typed URL
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url and endpoint.description == ""
    assert client.post(detail, {"url": receiver.url, "all_events": "on"}).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["*"]


@pytest.mark.parametrize("body, message", [
    ("url=https%3A%2F%2Fexample.com%2F%00&all_events=on", "NUL character"),
    ("url=https%3A%2F%2Fexample.com%2F&event_types=no.such_event", "Select a valid choice"),
    ("url=https%3A%2F%2Fexample.com%2F&all_events=on&description=" + "x" * 201, "at most 200 characters"),
])
def test_hostile_endpoints_are_refused_with_a_clear_400(client, make_member, organization, body, message):
    client = signed_in(client, make_member(organization, "owner"))
    response = client.post(f"/plugins/webhooks/o/{organization.slug}/endpoints/", body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and message in response.content.decode()
    assert not Endpoint.objects.exists()
