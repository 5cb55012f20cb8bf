"""Emails that tell a person about changes to their second factors, sent after the change commits."""

from __future__ import annotations

from django.db import transaction

from core import product
from core.links import absolute_reverse
from core.models import User
from core.tasks import send_email


def factor_changed(user: User, what: str) -> None:
    """Tell ``user`` that ``what`` happened (``"An authenticator app was added"``), so a stranger's change shows."""
    name = product.current().name
    subject = f"A second factor of your {name} account changed"
    body = (f"{what} on your {name} account {user.email}.\n\n"
            f"If it was you, there is nothing to do. If not, sign in, check your second factors at "
            f"{absolute_reverse('web:security')}, change your password, and tell your administrator.")
    transaction.on_commit(lambda: send_email.delay(subject, body, [user.email]), robust=True)
