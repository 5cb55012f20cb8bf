"""What a human-readable name may contain, checked by every service that stores one.

A name (an organization's, a project's, a person's, an API token's, an identity provider's, a
plugin object's) is one line of visible text. ``clean_name`` strips surrounding whitespace,
composes it to Unicode NFC, and refuses with a field error:

* control characters (C0 and C1, so no newline or tab), line and paragraph separators;
* invisible format characters: zero-width spaces, bidirectional overrides and isolates
  (U+202A-U+202E, U+2066-U+2069, which reorder how the name is shown), byte-order marks, soft
  hyphens. The zero-width joiner and non-joiner are allowed only between two non-ASCII
  characters, where emoji sequences and some scripts need them;
* surrogates, private-use and unassigned code points;
* a word that mixes Latin, Cyrillic and Greek letters (``Аcme`` with a Cyrillic А): the usual
  way to make a look-alike of another name. A name wholly in one script is fine.

Slugs need no such rule: ``slugify`` reduces them to ASCII letters, digits and hyphens.
``clean_text`` is the multi-line variant for descriptions: newlines and tabs are allowed,
other control characters are not. ``single_line`` makes text safe for a mail header.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from core.services.errors import ServiceError

_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_JOINERS = {"\u200c", "\u200d"}
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_TEXT_CONTROLS_ALLOWED = {"\n", "\r", "\t"}


def _describe(character: str) -> str:
    return f"U+{ord(character):04X} {unicodedata.name(character, 'unnamed character')}"


def _joiner_allowed(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and not text[index - 1].isascii() and not text[index + 1].isascii()


def _script(character: str) -> str | None:
    if not character.isalpha():
        return None
    word = unicodedata.name(character, "").split(" ", 1)[0]
    return word if word in _CONFUSABLE_SCRIPTS else None


def _mixed_script_word(text: str) -> str | None:
    for word in text.split():
        scripts = {script for script in map(_script, word) if script}
        if len(scripts) > 1:
            return word
    return None


def _as_text(value: Any, field: str, what: str) -> str:
    if not isinstance(value, str):
        raise ServiceError(f"The {what} must be text.", code="invalid_type", field=field)
    return unicodedata.normalize("NFC", value)


def clean_name(value: Any, *, field: str = "name", what: str = "name", max_length: int | None = None) -> str:
    """``value`` stripped and NFC-composed; a ``ServiceError`` on ``field`` when it is not a clean name."""
    text = _as_text(value, field, what).strip()
    for index, character in enumerate(text):
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            if character in _JOINERS and _joiner_allowed(text, index):
                continue
            raise ServiceError(f"The {what} contains an invisible or control character ({_describe(character)}); "
                               "use visible characters on one line.", code="invalid_characters", field=field)
    mixed = _mixed_script_word(text)
    if mixed is not None:
        raise ServiceError(f"The {what} mixes Latin, Cyrillic or Greek letters in one word ({mixed!r}), "
                           "which makes it look like another name; write each word in one alphabet.",
                           code="confusable", field=field)
    if max_length is not None and len(text) > max_length:
        raise ServiceError(f"The {what} is too long: at most {max_length} characters.", code="too_long", field=field)
    return text


def clean_text(value: Any, *, field: str = "description", what: str = "description") -> str:
    """Multi-line text: NFC-composed; newlines and tabs allowed, other control characters refused."""
    text = _as_text(value, field, what)
    for character in text:
        if unicodedata.category(character) == "Cc" and character not in _TEXT_CONTROLS_ALLOWED:
            raise ServiceError(f"The {what} contains a control character ({_describe(character)}).",
                               code="invalid_characters", field=field)
        if unicodedata.category(character) == "Cs":
            raise ServiceError(f"The {what} contains a lone surrogate ({_describe(character)}).",
                               code="invalid_characters", field=field)
    return text


def single_line(text: str) -> str:
    """``text`` with every control character and line break replaced by a space: safe in a mail header."""
    return "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text).strip()


def sanitize_name(value: Any, max_length: int) -> str:
    """A name another system sent (an identity provider, a SCIM client), made clean instead of refused.

    Control characters and line breaks become spaces, invisible format characters are dropped
    (the joiners kept where ``clean_name`` allows them), runs of spaces collapse, and the result is
    cut to ``max_length``. Mixed scripts are kept: the identity provider is the authority on a
    person's name.
    """
    text = unicodedata.normalize("NFC", str(value or ""))
    kept = []
    for index, character in enumerate(text):
        category = unicodedata.category(character)
        if category in {"Cc", "Zl", "Zp"}:
            kept.append(" ")
        elif category not in _REFUSED_CATEGORIES or (character in _JOINERS and _joiner_allowed(text, index)):
            kept.append(character)
    return " ".join("".join(kept).split())[:max_length]
