"""Who did it, as a person reads it in the audit log pages: a name and how they acted.

Records keep the actor exactly as captured (``actor_display`` is covered by the hash chain, and
exports and the API carry it unchanged); only the pages turn it into words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.times import when

_TOKEN_SUFFIX = re.compile(r"^(?P<who>.*?) \(token (?P<prefix>[^)]*)\)$")
_SCIM_TOKEN = re.compile(r"^scim:(?P<prefix>\S*) \(SCIM token\)$")


@dataclass(frozen=True)
class ReadableActor:
    name: str
    via: str = ""


def readable_actor(actor: dict[str, Any]) -> ReadableActor:
    """``{"kind": "token", "display": "ann@example.com (token anl_G2…)"}`` reads as
    ``ann@example.com``, "with API token anl_G2…"."""
    kind, display = actor.get("kind", ""), str(actor.get("display") or "")
    if kind == "token":
        match = _TOKEN_SUFFIX.match(display)
        if match:
            return ReadableActor(match["who"], f"with API token {match['prefix']}")
        return ReadableActor(display, "with an API token")
    if kind == "system":
        return ReadableActor("Anneal", "automatically" if display in ("", "system") else display)
    if kind == "anonymous":
        return ReadableActor(display if display and display != "anonymous" else "Someone",
                             "not signed in")
    if kind == "support":
        return ReadableActor(display or str(actor.get("id") or "support"), "vendor support")
    if kind == "scim":
        match = _SCIM_TOKEN.match(display)
        return ReadableActor("SCIM provisioning", f"with SCIM token {match['prefix']}" if match else display)
    if kind == "sso":
        return ReadableActor(display.removeprefix("sso:"), "single sign-on")
    return ReadableActor(display or str(actor.get("id") or kind))


_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def change_value(value: Any) -> Any:
    """A diff value for the page: a timestamp through ``|when`` like every time, ``–`` for none."""
    if value is None:
        return "–"
    if isinstance(value, str) and _ISO_INSTANT.fullmatch(value):
        return when(value)
    return value


def for_page(record: dict[str, Any]) -> dict[str, Any]:
    """A ``record_json`` row with ``who`` and ``changes`` (name, before, after) added for the templates."""
    changes = [(name, change_value(change[0]), change_value(change[1])) for name, change in record["diff"].items()
               if isinstance(change, (list, tuple)) and len(change) == 2]
    return {**record, "who": readable_actor(record["actor"]), "changes": changes}
