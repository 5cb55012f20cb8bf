"""Anneal's database work through PgBouncer in transaction mode, from several threads at once.

Run by tests/deploy/test_pgbouncer.py as a child process whose DATABASE_URL points at PgBouncer.
Exits 0 when every thread finished, 1 with the first error otherwise.
"""

from __future__ import annotations

import os
import sys
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from core.models import Membership, Organization, User  # noqa: E402

THREADS = 6
errors: list[str] = []


def work(number: int) -> None:
    try:
        for _ in range(5):
            # A chunked iterator: a server-side cursor unless they are disabled.
            seen = sum(1 for _ in User.objects.order_by("pk").iterator(chunk_size=7))
            assert seen >= 60, seen
            with transaction.atomic():
                membership = Membership.objects.select_for_update().order_by("pk").first()
                membership.role = membership.role
                membership.save(update_fields=["role"])
            Organization.objects.filter(slug=f"org-{number}").update(name=f"Org {number} renamed")
    except Exception as exc:  # reported to the test, which shows it
        errors.append(f"thread {number}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def main() -> int:
    owner = User.objects.create_user("pgbouncer-owner@example.com", "a long enough password")
    User.objects.bulk_create(User(email=f"user{n}@example.com", password="!") for n in range(60))
    for number in range(THREADS):
        organization = Organization.objects.create(name=f"Org {number}", slug=f"org-{number}")
        Membership.objects.create(organization=organization, user=owner, role="owner")
    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    renamed = Organization.objects.filter(name__endswith="renamed").count()
    print(f"ok: {renamed} organizations renamed")
    return 0 if renamed == THREADS else 1


if __name__ == "__main__":
    sys.exit(main())
