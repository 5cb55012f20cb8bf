"""Strict JSON types for every serializer of the API, the core's and every plugin's.

DRF's ``CharField`` turns a JSON number into a string (``"name": 123456`` becomes ``"123456"``),
so a client that sends the wrong type never learns it. ``install()`` (run once when the core
loads) makes every ``CharField`` and its subclasses (email, slug, URL, regex fields) refuse a value
that is not a string with 400 and the field's ``invalid`` code. Form-encoded bodies are strings
already and are unaffected.
"""

from __future__ import annotations

from typing import Any

from rest_framework import fields

_lenient = fields.CharField.to_internal_value


def _to_internal_value(self: fields.CharField, data: Any) -> str:
    if not isinstance(data, str):
        self.fail("invalid")
    return _lenient(self, data)


def install() -> None:
    fields.CharField.to_internal_value = _to_internal_value  # type: ignore[method-assign]
