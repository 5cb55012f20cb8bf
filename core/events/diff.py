"""Before/after differences with secrets removed."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
SECRET_FIELD = re.compile(r"pass(word)?|secret|token|private|_key$|^key$|hash|dsn|credential", re.IGNORECASE)


def is_secret_field(name: str) -> bool:
    return bool(SECRET_FIELD.search(name))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field that changed; secret fields show as redacted."""
    before = before or {}
    after = after or {}
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old == new:
            continue
        if is_secret_field(name):
            old = REDACTED if old is not None else None
            new = REDACTED if new is not None else None
        changes[name] = [old, new]
    return changes


def snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
