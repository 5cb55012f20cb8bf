"""Line differences between two prompt versions (difflib)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from anneal_prompts.models import PromptVersion

LineKind = Literal["header", "hunk", "added", "removed", "context"]


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str


def unified(old: PromptVersion, new: PromptVersion, context: int = 3) -> str:
    """A unified diff from ``old`` to ``new``, as ``diff -u`` prints it."""
    return "".join(difflib.unified_diff(
        old.body.splitlines(keepends=True), new.body.splitlines(keepends=True),
        fromfile=f"version {old.number}", tofile=f"version {new.number}", n=context,
    )).replace("\n\\ No newline at end of file", "")


def _kind(line: str) -> LineKind:
    if line.startswith(("---", "+++")):
        return "header"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "added", "-": "removed"}.get(line[:1], "context")  # type: ignore[return-value]


def lines(old: PromptVersion, new: PromptVersion, context: int = 3) -> list[DiffLine]:
    """The unified diff split into typed lines, for display."""
    result = []
    for line in difflib.unified_diff(old.body.splitlines(), new.body.splitlines(),
                                     fromfile=f"version {old.number}", tofile=f"version {new.number}",
                                     n=context, lineterm=""):
        result.append(DiffLine(_kind(line), line))
    return result
