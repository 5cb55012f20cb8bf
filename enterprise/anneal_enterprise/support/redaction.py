"""The denylist backstop applied to everything that goes into a support bundle.

Collectors redact by allowlist first (only values known to be safe are shown). This module then
removes anything that still looks like a secret: values under keys whose names say password,
secret, token, key, DSN or credential; passwords inside URLs; PEM blocks (also when cut off);
bearer and basic credentials in log lines; ``name=value`` pairs with a secret-looking name; and
the literal values of this instance's known secrets (``SECRET_KEY``, database and email
passwords, secret-named environment variables), wherever they appear.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.conf import settings

REDACTED = "[redacted]"

SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|(^|[_\-.])key(s)?($|[_\-.])|apikey|private|dsn|credential|"
    r"signature|cookie|authorization|^auth$|salt",
    re.IGNORECASE,
)
SAFE_NAMES = frozenset({"SESSION_COOKIE_AGE", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"})

# Every repetition is bounded so that hostile or huge text cannot make a pattern backtrack for long.
PEM_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]{0,60}-----.*?(?:-----END [A-Z0-9 ]{0,60}-----|\Z)", re.DOTALL)
URL_PASSWORD = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]{0,30}://)(?P<user>[^\s:/@\"']{0,256}):(?P<password>[^\s@/\"']{1,256})@"
)
AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic)(\s+)(?!\[redacted\])[A-Za-z0-9._~+/=\-]{6,}")
NAMED_VALUE = re.compile(r"(?<![\w.\-])(?P<name>[\w.\-]{1,100})(?P<sep>\"?\s*[=:]\s*\"?)(?P<value>(?!\[redacted\])[^\s\"',;&}]+)")
SECRET_WORD = re.compile(r"(?i)pass(word|wd)?|secret|token|api[_\-]?key|private[_\-]?key|dsn|credential")
SECRET_SETTING = re.compile(r"SECRET|PASSWORD$|TOKEN|_KEY$|^KEY$|DSN|CREDENTIAL")
MIN_KNOWN_SECRET = 6


def is_secret_name(name: str) -> bool:
    return name not in SAFE_NAMES and bool(SECRET_NAME.search(name))


def known_secrets() -> set[str]:
    """Literal secret values of this instance, to be removed wherever they turn up."""
    values: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str) and len(value) >= MIN_KNOWN_SECRET and value != REDACTED:
            values.add(value)

    for name in dir(settings):
        if name.isupper() and SECRET_SETTING.search(name):
            value = getattr(settings, name, None)
            for item in value if isinstance(value, (list, tuple)) else [value]:
                add(item)
    for database in settings.DATABASES.values():
        add(database.get("PASSWORD"))
    for name, value in os.environ.items():
        if is_secret_name(name):
            add(value)
        match = URL_PASSWORD.search(value)
        if match:
            add(match.group("password"))
    return values


def _named_value(match: re.Match[str]) -> str:
    if SECRET_WORD.search(match.group("name")):
        return f"{match.group('name')}{match.group('sep')}{REDACTED}"
    return match.group(0)


def redact_text(text: str, secrets: set[str] | None = None, *, named: bool = True) -> str:
    """Remove secrets from free text; ``named=False`` leaves ``name=value`` pairs (for JSON text)."""
    text = PEM_BLOCK.sub("[redacted PEM block]", text)
    text = URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{REDACTED}@", text)
    text = AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    if named:
        text = NAMED_VALUE.sub(_named_value, text)
    for secret in sorted(secrets or (), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def redact(value: Any, secrets: set[str] | None = None) -> Any:
    """A copy of ``value`` (JSON-like data) with secret-looking values replaced by ``[redacted]``."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            name = str(key)
            if is_secret_name(name) and item not in (None, "", REDACTED) and not isinstance(item, (bool, int, float)):
                result[name] = REDACTED
            else:
                result[name] = redact(item, secrets)
        return result
    if isinstance(value, (list, tuple, set)):
        return [redact(item, secrets) for item in value]
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"), secrets)
    if isinstance(value, str):
        return redact_text(value, secrets)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact_text(str(value), secrets)
