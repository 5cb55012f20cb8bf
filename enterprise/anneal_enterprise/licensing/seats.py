"""Seats: how many people hold one, and whether another may be invited.

A seat is held by an active human user (not deactivated, not a service account) who is a
member of at least one organization. A person in several organizations holds one seat. Staff
accounts with no membership hold none; API tokens belong to users and hold none of their own.
Pending invitations to people who hold no seat yet count when deciding whether to invite more,
so a burst of invitations cannot overshoot the limit.

Over ``seats`` a warning is shown to admins; at ``seats + 10%`` (at least one extra seat) new
invitations and new members are refused. Existing members always keep signing in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils import timezone

from anneal_enterprise.licensing import lifecycle, status

SEAT_HOLDERS_HELP = "active human members of at least one organization"


@dataclass(frozen=True)
class SeatUsage:
    in_use: int
    seats: int
    limit: int

    @property
    def over(self) -> bool:
        return self.seats > 0 and self.in_use > self.seats

    @property
    def at_limit(self) -> bool:
        return self.seats > 0 and self.in_use >= self.limit


def seats_in_use() -> int:
    from django.db.models import Exists, OuterRef

    from core.models import Membership, User

    member = Membership.objects.filter(user_id=OuterRef("pk"))
    return User.objects.humans().filter(Exists(member)).count()


def seat_holders_up_to(cap: int) -> int:
    """:func:`seats_in_use`, counting no further than ``cap`` (``LIMIT cap``): exact below it."""
    from django.db.models import Exists, OuterRef

    from core.models import Membership, User

    member = Membership.objects.filter(user_id=OuterRef("pk"))
    return User.objects.humans().filter(Exists(member)).order_by().values("pk")[:cap].count()  # any cap of them


def _highest_user_id() -> int:
    """No more users exist than the highest id (one look-up of the primary key's end)."""
    from django.db.models import Max

    from core.models import User

    return User.objects.aggregate(highest=Max("pk"))["highest"] or 0


BANNER_SECONDS = 60.0
_shown: dict[str, object] = {"snapshot": None, "until": float("-inf"), "usage": None}


def over_seats_for_banner(snapshot: status.Snapshot) -> SeatUsage | None:
    """The staff banner's seats: the :func:`usage` when more seats are in use than licensed, else ``None``.

    Shown on every page of an instance admin, so it counts only as far as the license needs, at
    most once a minute per process: nothing without a seat limit; nothing when the highest user
    id is within the seats (there cannot be more seat holders than users); else seat holders up
    to ``seats + 1``, and all of them only when over, for the banner's number. The full count
    read every user (61 ms at 100,000 users, seconds at a million; docs/benchmarks.md, "Scale").
    Decisions (new invitations and members) always count exactly (:func:`refusal_for_new_seat`).
    """
    now = time.monotonic()
    if _shown["snapshot"] is not snapshot or now >= _shown["until"]:  # type: ignore[operator]
        _shown.update(snapshot=snapshot, until=now + BANNER_SECONDS, usage=_over_seats(snapshot))
    return _shown["usage"]  # type: ignore[return-value]


def _over_seats(snapshot: status.Snapshot) -> SeatUsage | None:
    if not limits_seats(snapshot):
        return None
    licensed = snapshot.claims.seats  # type: ignore[union-attr]
    if licensed <= 0 or _highest_user_id() <= licensed or seat_holders_up_to(licensed + 1) <= licensed:
        return None
    return usage(snapshot)


def holds_seat(email: str) -> bool:
    from core.models import User

    return User.objects.humans().filter(email__iexact=email, memberships__isnull=False).exists()


def pending_invitees() -> int:
    """Distinct emails with a pending invitation whose person holds no seat yet."""
    from core.models import Invitation, User

    emails = set(Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                                           expires_at__gt=timezone.now()).values_list("email", flat=True))
    seated = set(User.objects.humans().filter(memberships__isnull=False).values_list("email", flat=True))
    return len({e.lower() for e in emails} - {e.lower() for e in seated})


def usage(snapshot: status.Snapshot | None = None) -> SeatUsage:
    """Seats in use under the license in force (``seats`` is 0 when no license limits seats)."""
    snapshot = snapshot or status.current()
    in_use = seats_in_use()
    if not limits_seats(snapshot):
        return SeatUsage(in_use=in_use, seats=0, limit=0)
    return SeatUsage(in_use=in_use, seats=snapshot.claims.seats, limit=snapshot.claims.seat_limit)  # type: ignore[union-attr]


def limits_seats(snapshot: status.Snapshot) -> bool:
    """Only a license in force (valid, expiring or in grace) limits seats."""
    return snapshot.claims is not None and snapshot.stage() in lifecycle.IN_FORCE


def refusal_for_new_seat(email: str, *, count_pending: bool) -> str | None:
    """Why ``email`` may not get a new seat now, or ``None`` when it may."""
    if not limits_seats(status.current()) or holds_seat(email):
        return None
    current = usage()
    if current.seats == 0:
        return None
    projected = current.in_use + (pending_invitees() if count_pending else 0)
    if projected + 1 <= current.limit:
        return None
    return (
        f"The license allows {current.seats} seats (up to {current.limit} with the 10% overage) and "
        f"{current.in_use} are in use"
        + (f", with {projected - current.in_use} more invited" if projected > current.in_use else "")
        + ". Remove members or revoke pending invitations, or ask for a license with more seats."
    )
