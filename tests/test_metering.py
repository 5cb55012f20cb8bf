"""The metering API: declared meters, buffered recording with no query on the hot path, flushing
(periodic job, worker shutdown), the Usage page's inline SVG chart, its CSV and the API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from celery.signals import worker_process_shutdown

from core import metering
from core.models import MeterUsage
from core.plugins import Meter, hookimpl, record_usage

pytestmark = pytest.mark.django_db


class Tokens:
    @hookimpl
    def anneal_meters(self):
        return [Meter("genai.tokens", "token", "Tokens sent to and received from the model.")]


@pytest.fixture(autouse=True)
def meters(anneal_plugin):
    anneal_plugin(Tokens(), name="genai")


def test_recording_runs_no_query_and_a_flush_writes_one_row_per_organization_and_day(
        make_organization, django_assert_num_queries):
    first, second = make_organization(), make_organization()
    with django_assert_num_queries(0):
        for _ in range(1000):
            record_usage(first, "genai.tokens", 3)
            record_usage(second.pk, "genai.tokens")
    assert not MeterUsage.objects.exists()
    assert metering.flush() == 2
    assert dict(MeterUsage.objects.values_list("organization_id", "quantity")) == {first.pk: 3000, second.pk: 1000}
    record_usage(first, "genai.tokens", 5)
    metering.flush()
    assert MeterUsage.objects.get(organization=first).quantity == 3005  # added to the day's row
    assert MeterUsage.objects.count() == 2


def test_a_flush_costs_a_bounded_number_of_queries_whatever_the_number_of_events(
        make_organization, django_assert_max_num_queries):
    organization = make_organization()
    for _ in range(5000):
        record_usage(organization, "genai.tokens")
    with django_assert_max_num_queries(6):  # update, then insert for a new row, with their savepoints
        metering.flush()
    assert MeterUsage.objects.get().quantity == 5000


def test_an_undeclared_meter_or_a_bad_quantity_is_refused(make_organization):
    organization = make_organization()
    with pytest.raises(ValueError, match="'genai.typo' is not declared: return it from an anneal_meters hook"):
        record_usage(organization, "genai.typo")
    for quantity in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive whole number"):
            record_usage(organization, "genai.tokens", quantity)
    assert metering.pending() == {}


def test_the_periodic_job_and_worker_shutdown_flush_the_buffer(make_organization):
    from core.jobs import app
    from core.tasks import flush_meter_usage

    assert app.conf.beat_schedule["core.flush-meter-usage"]["task"] == "core.flush_meter_usage"
    organization = make_organization()
    record_usage(organization, "genai.tokens", 2)
    assert flush_meter_usage() == 1
    record_usage(organization, "genai.tokens", 2)
    worker_process_shutdown.send(sender=None)
    assert metering.pending() == {} and MeterUsage.objects.get().quantity == 4


def test_a_buffer_older_than_the_flush_interval_is_written_by_the_next_record(make_organization, monkeypatch):
    organization = make_organization()
    record_usage(organization, "genai.tokens")
    monkeypatch.setattr(metering, "FLUSH_SECONDS", 0.0)
    record_usage(organization, "genai.tokens")
    assert MeterUsage.objects.get().quantity == 2


def test_the_usage_page_charts_each_meter_as_inline_svg_for_organization_admins(
        make_organization, make_member, web_client_for):
    organization = make_organization()
    admin = make_member(organization, "admin")
    MeterUsage.objects.create(organization=organization, meter="genai.tokens",
                              day=metering.today() - timedelta(days=2), quantity=1234)
    record_usage(organization, "genai.tokens", 66)
    page = web_client_for(admin).get(f"/o/{organization.slug}/settings/usage/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="chart" role="img"' in html and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert f"<title>{(metering.today() - timedelta(days=2)).isoformat()}: 1234 token</title>" in html
    assert 'data-testid="meter-total">1300<' in html
    member = make_member(organization, "member")
    assert web_client_for(member).get(f"/o/{organization.slug}/settings/usage/").status_code == 403


def test_the_csv_export_and_the_api_return_the_page_numbers(make_organization, make_member, web_client_for,
                                                            api_client_for):
    organization = make_organization()
    admin = make_member(organization, "admin")
    record_usage(organization, "genai.tokens", 40)
    every = list(csv.DictReader(io.StringIO(web_client_for(admin).get(
        f"/o/{organization.slug}/settings/usage.csv?days=7").content.decode())))
    rows = [row for row in every if row["meter"] == "genai.tokens"]
    assert {row["meter"] for row in every} >= {"genai.tokens", "webhooks.deliveries", "prompts.versions"}
    assert len(rows) == 7 and rows[-1] == {"day": metering.today().isoformat(), "meter": "genai.tokens",
                                           "unit": "token", "quantity": "40"}
    body = api_client_for(admin).get(f"/api/v1/organizations/{organization.slug}/usage/?days=7").json()
    (tokens,) = [m for m in body["meters"] if m["name"] == "genai.tokens"]
    assert [(d["day"], str(d["quantity"])) for d in tokens["days"]] == [(r["day"], r["quantity"]) for r in rows]
    assert tokens["total"] == 40 and tokens["unit"] == "token"
    assert api_client_for(make_member(organization, "member")).get(
        f"/api/v1/organizations/{organization.slug}/usage/").status_code == 403
