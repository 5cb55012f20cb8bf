"""Counts in sentences a person reads: "1 signed checkpoint", "7 days", never a noun with "(s)"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` followed by ``noun`` in the singular for exactly one, else ``plural`` (``noun + "s"``)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
