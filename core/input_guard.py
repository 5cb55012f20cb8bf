"""Checks that refuse text no Anneal input may carry, before any view or database sees it.

* No NUL character anywhere: PostgreSQL cannot store it in a text column and refuses it in a
  query parameter, so one in a search box used to end as a 500.
* Text is UTF-8: a query string, a form body or a JSON body that is not is refused instead of
  being silently changed into replacement characters.
* JSON is nested at most ``MAX_JSON_DEPTH`` levels and carries no lone UTF-16 surrogate
  (``"\\ud800"``), which no database driver can encode.

Each check raises ``InputRefused``; ``core.web.hostile_input`` turns that into a 400 response.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Iterable
from urllib.parse import unquote_to_bytes

MAX_JSON_DEPTH = 64

_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # an odd number of backslashes, then u0000
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\x00\x00")


class InputRefused(ValueError):
    """Input Anneal will not process; ``message`` says what to send instead."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def check_text(value: str, where: str) -> None:
    """Refuse a decoded string (a header, a cookie, a parsed form field) that holds a NUL."""
    if "\x00" in value:
        raise InputRefused(f"The {where} contains a NUL character (\\0), which Anneal does not accept.",
                           "nul_character")


def check_bytes(raw: bytes, where: str) -> None:
    """Refuse raw text that holds a NUL byte or is not UTF-8."""
    if b"\x00" in raw:
        raise InputRefused(f"The {where} contains a NUL character (\\0), which Anneal does not accept.",
                           "nul_character")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused(f"The {where} is not valid UTF-8; send text encoded as UTF-8.", "invalid_utf8") from None


def _form_pieces(encoded: bytes) -> Iterable[bytes]:
    for pair in encoded.split(b"&"):
        for piece in pair.split(b"=", 1):
            yield unquote_to_bytes(piece.replace(b"+", b" "))


def check_urlencoded(encoded: bytes, where: str) -> None:
    """A query string or an ``application/x-www-form-urlencoded`` body, before percent-decoding."""
    check_bytes(encoded, where)
    for piece in _form_pieces(encoded):
        check_bytes(piece, where)


def json_depth(raw: bytes) -> int:
    """How deeply ``raw`` nests arrays and objects (brackets inside strings do not count)."""
    steps = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS).translate(_DEPTH_STEP)
    return max(accumulate(1 if step else -1 for step in steps), default=0)


def check_json(raw: bytes, where: str = "JSON body") -> None:
    """A JSON document: UTF-8, no NUL (raw or escaped), bounded depth, no lone surrogate.

    A document that does not parse is left to the parser that reads it, which says why.
    """
    check_bytes(raw, where)
    if _ESCAPED_NUL.search(raw):
        raise InputRefused(f"The {where} contains a NUL character (\\u0000), which Anneal does not accept.",
                           "nul_character")
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise InputRefused(f"The {where} nests arrays and objects more than {MAX_JSON_DEPTH} levels deep.",
                           "json_too_deep")
    if b"\\u" not in raw:
        return
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputRefused(f"The {where} contains a lone UTF-16 surrogate escape (such as \\ud800), "
                           "which is not a character.", "invalid_utf8") from None
