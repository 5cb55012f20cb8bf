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
from urllib.parse import unquote_to_bytes

MAX_JSON_DEPTH = 64

_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # an odd number of backslashes, then u0000
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OBJECTS_AS_ARRAYS = bytes.maketrans(b"{}", b"[]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_BRACKET_RUNS = re.compile(rb"\[+|\]+")
_REPLACE_PASSES = 8


class InputRefused(ValueError):
    """Input Anneal will not process; ``message`` says what to send instead."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


MAX_ROW_ID = 2**63 - 1


def row_id(text: str) -> int | None:
    """The database id that ``text`` (from a URL or a form) names, or ``None`` when it names none.

    Only ASCII digits within a signed 64-bit integer: ``"\u00b2".isdigit()`` is true but ``int()``
    refuses it, and a longer number overflows the database's integer column.
    """
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


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


def check_urlencoded(encoded: bytes, where: str) -> None:
    """A query string or an ``application/x-www-form-urlencoded`` body, before percent-decoding.

    Decoding it whole is enough: the separators ``&`` and ``=`` are ASCII, so no character
    spans two fields, and a NUL can only come from a raw NUL or ``%00``.
    """
    check_bytes(encoded, where)
    check_bytes(unquote_to_bytes(encoded.replace(b"+", b" ")), where)


def json_depth(raw: bytes) -> int:
    """How deeply ``raw`` nests arrays and objects (brackets inside strings do not count).

    Linear and mostly C-speed even for a hostile 2.5 MB body: a few passes of
    ``bytes.replace`` remove the innermost empty pairs (each pass lowers the depth by one), then
    a walk over the runs of ``[`` and ``]`` left measures the rest; after eight passes there are
    at most n/9 runs. Openers left unclosed count as nesting, as they would in a recursive parser.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(_OBJECTS_AS_ARRAYS, _NOT_BRACKETS)
    passes = 0
    while passes < _REPLACE_PASSES and brackets:
        reduced = brackets.replace(b"[]", b"")
        if reduced == brackets:
            break
        brackets, passes = reduced, passes + 1
    depth = peak = 0
    for run in _BRACKET_RUNS.finditer(brackets):
        depth += len(run.group()) if run.group()[0] == 0x5B else -len(run.group())  # 0x5B is "["
        if depth > peak:
            peak = depth
            if passes + peak > MAX_JSON_DEPTH:
                break
    return passes + peak


def check_json(raw: bytes, where: str = "JSON body") -> None:
    """A JSON document: UTF-8, no NUL (raw or escaped), bounded depth, no lone surrogate.

    A document that does not parse is left to the parser that reads it, which says why.
    """
    check_bytes(raw, where)
    if b"\\u0000" in raw and _ESCAPED_NUL.search(raw):
        raise InputRefused(f"The {where} contains a NUL character (\\u0000), which Anneal does not accept.",
                           "nul_character")
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise InputRefused(f"The {where} nests arrays and objects more than {MAX_JSON_DEPTH} levels deep.",
                           "json_too_deep")
    if not _SURROGATE_ESCAPE.search(raw):
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
