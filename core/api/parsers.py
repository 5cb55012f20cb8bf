"""The API's JSON parser: DRF's, with the hostile-input checks of ``core.input_guard``.

Every Anneal operation takes a JSON object, so any other document (a list, a string) is a
400 here rather than an ``AttributeError`` in a view that calls ``request.data.get``.

The guard middleware already refuses hostile bodies and marks the request it checked; the parser
checks only bodies the middleware did not see (a test's ``APIRequestFactory``, a plugin's own
URLconf), so a DRF view never parses NUL characters or a document nested deep enough to exhaust
the stack, and no body is scanned twice.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, Mapping

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.input_guard import InputRefused, check_json


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        request = getattr((parser_context or {}).get("request"), "_request", None)
        if not getattr(request, "json_body_checked", False):  # the guard middleware did not see this body
            try:
                check_json(raw)
            except InputRefused as exc:
                raise ParseError(exc.message, code=exc.code) from None
        try:
            document = super().parse(BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON body is nested too deeply.", code="json_too_deep") from None
        if not isinstance(document, dict):
            raise ParseError("The JSON body must be an object ({...}) with the operation's fields.", code="not_an_object")
        return document

