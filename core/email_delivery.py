"""Who an email comes from, how its subject starts, and whether it reaches a person or only the log.

Every email names the product in force (``core.product``): its sender's display name is the
product's ``email_sender_name`` (unless ``ANNEAL_EMAIL_FROM`` gives one) and, for a vendor's
product, its subject starts with the product's ``email_subject_prefix``.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings

from core import product

UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "written to the log",
    "django.core.mail.backends.filebased.EmailBackend": "written to files",
    "django.core.mail.backends.locmem.EmailBackend": "kept in memory",
    "django.core.mail.backends.dummy.EmailBackend": "thrown away",
}
WHERE = {
    "django.core.mail.backends.console.EmailBackend": "printed to the server's console (its log)",
    "django.core.mail.backends.filebased.EmailBackend": "written to a file on the server",
    "django.core.mail.backends.locmem.EmailBackend": "kept in the server's memory",
    "django.core.mail.backends.dummy.EmailBackend": "thrown away",
}


def unsent_fate() -> str | None:
    """What happens to an email instead of being sent (``"written to the log"``), or ``None`` if it is sent."""
    return UNSENT_EMAIL_BACKENDS.get(settings.EMAIL_BACKEND)


def where_unsent_email_went() -> str | None:
    """Where an email went instead of someone's inbox, in words for the person who sent it; ``None`` if sent."""
    return WHERE.get(settings.EMAIL_BACKEND)


def sender() -> str:
    """The ``From`` of every email: ``ANNEAL_EMAIL_FROM``, named after the product unless it has a name."""
    configured = settings.DEFAULT_FROM_EMAIL
    name, address = parseaddr(configured)
    if name or not address:
        return configured
    return formataddr((product.current().email_sender_name, address))


def subject_line(subject: str) -> str:
    """``subject`` as sent: a vendor's product puts its prefix (``[Acme]``) first; Anneal's stays as written."""
    if product.is_anneal():
        return subject
    prefix = product.current().email_subject_prefix
    return f"{prefix} {subject}" if prefix and not subject.startswith(prefix) else subject
