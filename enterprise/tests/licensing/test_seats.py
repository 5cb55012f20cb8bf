"""Seats: who holds one, the 10% soft overage, and what is blocked beyond it."""

from __future__ import annotations

import pytest

from anneal_enterprise.licensing import alerts, seats, services
from core.services import invitations, organizations
from core.services.errors import PolicyRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(make_organization):
    return make_organization()  # its owner holds one seat


def fill(organization, make_member, count):
    return [make_member(organization) for _ in range(count)]


def test_only_active_human_members_hold_seats(organization, make_member, make_user):
    make_user(is_staff=True)  # no membership: no seat
    make_member(organization, is_service=True)
    make_member(organization, is_active=False)
    person = make_member(organization)
    from core.models import Membership, Organization

    second = Organization.objects.create(name="Second", slug="second")
    Membership.objects.create(organization=second, user=person, role="member")
    assert seats.usage().in_use == 2  # the owner and the person (counted once for two organizations)


def test_without_a_license_invitations_are_not_limited(organization, make_member):
    fill(organization, make_member, 30)
    invitations.invite(organization, "new@example.com", "member", None)


def test_seat_limit_allows_ten_percent_overage(signer):
    from anneal_enterprise.licensing.claims import parse

    assert parse(signer.claims(seats=10)).seat_limit == 11
    assert parse(signer.claims(seats=100)).seat_limit == 110
    assert parse(signer.claims(seats=5)).seat_limit == 6


def test_invitation_beyond_the_overage_is_refused_with_a_clear_message(organization, make_member, signer):
    services.install(signer.issue(seats=10), source="cli")
    fill(organization, make_member, 9)  # 10 seats in use
    invitations.invite(organization, "eleventh@example.com", "member", None)  # 11th: within the overage
    with pytest.raises(PolicyRefused) as refused:
        invitations.invite(organization, "twelfth@example.com", "member", None)
    assert refused.value.code == "license_seats"
    assert refused.value.message == (
        "The license allows 10 seats (up to 11 with the 10% overage) and 10 are in use, with 1 more invited. "
        "Remove members or revoke pending invitations, or ask for a license with more seats.")


def test_inviting_someone_who_already_holds_a_seat_is_allowed_at_the_limit(make_organization, make_member, signer):
    first = make_organization()
    services.install(signer.issue(seats=10), source="cli")
    people = fill(first, make_member, 10)  # 11 in use = the limit
    second = make_organization(owner=people[0])
    invitations.invite(second, people[1].email, "member", None)


def test_adding_a_member_beyond_the_overage_is_refused(organization, make_member, make_user, signer):
    services.install(signer.issue(seats=10), source="cli")
    fill(organization, make_member, 10)  # 11 in use = the limit
    with pytest.raises(PolicyRefused, match="The license allows 10 seats"):
        organizations.add_member(organization, make_user(), "member")


def test_existing_members_keep_signing_in_over_the_limit(organization, make_member, signer, client):
    fill(organization, make_member, 20)
    services.install(signer.issue(seats=10), source="cli")
    member = make_member(organization, password="pw-for-test-1")
    response = client.post("/sign-in/", {"email": member.email, "password": "pw-for-test-1"})
    assert response.status_code == 302


def test_going_over_seats_is_reported_once_and_again_after_recovering(organization, make_member, signer,
                                                                      captured_events):
    services.install(signer.issue(seats=10), source="cli")
    extra = fill(organization, make_member, 10)  # 11 in use
    assert alerts.report_lifecycle() == ["license.over_seats"]
    assert alerts.report_lifecycle() == []
    assert captured_events[-1].data == {"in_use": 11, "seats": 10, "limit": 11}
    extra[0].is_active = False
    extra[0].save()
    assert alerts.report_lifecycle() == []
    make_member(organization)
    assert alerts.report_lifecycle() == ["license.over_seats"]


def test_seats_do_not_limit_an_expired_license(organization, make_member, signer):
    from datetime import datetime, timedelta, timezone

    from anneal_enterprise.licensing import clock

    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    clock.set_now(now)
    services.install(signer.issue(seats=2, starts_at=now - timedelta(days=10)), source="cli")
    fill(organization, make_member, 5)
    clock.set_now(now + timedelta(days=800))
    invitations.invite(organization, "after-expiry@example.com", "member", None)


def _banner_reads():
    """The staff banner's seats, afresh, and the statements it ran on the users table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anneal_enterprise.licensing import status

    seats._shown.update(until=float("-inf"))
    with CaptureQueriesContext(connection) as queries:
        shown = seats.over_seats_for_banner(status.current())
    return shown, [q["sql"] for q in queries.captured_queries if 'FROM "core_user"' in q["sql"]]


def test_the_banner_counts_nothing_without_a_seat_limit(organization, make_member):
    fill(organization, make_member, 3)

    shown, reads = _banner_reads()

    assert shown is None and reads == []


def test_the_banner_counts_nothing_while_the_highest_user_id_is_within_the_seats(organization, make_member, signer):
    from core.models import User

    fill(organization, make_member, 3)
    services.install(signer.issue(seats=User.objects.order_by("-pk").first().pk), source="cli")

    shown, reads = _banner_reads()

    assert shown is None
    assert len(reads) == 1 and "MAX(" in reads[0].upper() and "COUNT(" not in reads[0].upper()


def test_below_the_seats_the_banner_counts_holders_no_further_than_one_past_them(organization, make_member,
                                                                                 make_user, signer):
    for _ in range(6):
        make_user()  # ids beyond the seats, but no seat
    fill(organization, make_member, 2)  # three seat holders with the owner
    services.install(signer.issue(seats=3), source="cli")

    shown, reads = _banner_reads()

    assert shown is None
    [count] = [sql for sql in reads if "COUNT(" in sql.upper()]
    assert "LIMIT 4" in count


def test_over_the_seats_the_banner_shows_the_exact_number_in_use(organization, make_member, signer):
    fill(organization, make_member, 9)  # ten seat holders with the owner
    services.install(signer.issue(seats=4), source="cli")

    shown, reads = _banner_reads()

    assert (shown.in_use, shown.seats, shown.over) == (10, 4, True)
    assert seats.usage().in_use == 10  # what enforcement reads: every holder, no cap
