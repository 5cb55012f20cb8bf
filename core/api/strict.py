"""Strict JSON types for every serializer of the API, the core's and every plugin's.

DRF coerces: its ``CharField`` turns a JSON number into a string (``"name": 123456`` becomes
``"123456"``), its ``IntegerField`` and ``FloatField`` parse strings, its ``BooleanField`` takes
``"true"``, ``1`` or ``"off"``. A client that sends the wrong type never learns it, and the
schema's types would not mean what they say. ``install()`` (run once when the core loads) makes
every such field, and its subclasses (email, slug, URL, regex fields), refuse a JSON value of
the wrong type with 400 and the field's ``invalid`` code. Form-encoded and multipart bodies and
query strings carry only strings, so for them the numeric and boolean fields still parse text.
"""

from __future__ import annotations

from typing import Any, Callable

from django.http import QueryDict
from rest_framework import fields

NUMBERS = (fields.IntegerField, fields.FloatField)


def _from_json(field: fields.Field) -> bool:
    """Whether the data being validated came from a JSON body (not a form or a query string)."""
    data = getattr(field.root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(lenient: Callable[[Any, Any], Any], accepts: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def to_internal_value(self: fields.Field, data: Any) -> Any:
        if not accepts(self, data):
            self.fail("invalid")
        return lenient(self, data)

    to_internal_value.strict = True  # type: ignore[attr-defined]
    return to_internal_value


def _string(field: fields.Field, data: Any) -> bool:
    return isinstance(data, str)


def _number(field: fields.Field, data: Any) -> bool:
    return not _from_json(field) or (isinstance(data, (int, float)) and not isinstance(data, bool))


def _boolean(field: fields.Field, data: Any) -> bool:
    return not _from_json(field) or isinstance(data, bool)


def install() -> None:
    for field_class, accepts in ((fields.CharField, _string), (fields.IntegerField, _number),
                                 (fields.FloatField, _number), (fields.BooleanField, _boolean)):
        if not getattr(field_class.to_internal_value, "strict", False):
            field_class.to_internal_value = _strict(field_class.to_internal_value, accepts)  # type: ignore[method-assign]
