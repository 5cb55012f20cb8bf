"""Whether an email Anneal sends reaches a person, or only the log (the embedded default)."""

from __future__ import annotations

from django.conf import settings

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
