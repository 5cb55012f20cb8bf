"""The typed domain event that every state change emits."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

ActorKind = Literal["user", "token", "scim", "sso", "support", "system", "anonymous"]


@dataclass(frozen=True)
class Actor:
    """Who did it. ``id`` is the user's id for users and tokens' owners, else a stable label."""

    kind: ActorKind
    id: str | None = None
    display: str = ""
    user_id: int | None = None
    token_id: int | None = None

    @classmethod
    def system(cls, display: str = "system") -> "Actor":
        return cls(kind="system", display=display)


@dataclass(frozen=True)
class Target:
    """What it was done to, for example ``Target("project", "42", "Website")``."""

    type: str
    id: str | None = None
    display: str = ""


@dataclass(frozen=True)
class Event:
    """One state change, passed to ``anneal_event`` inside the change's transaction."""

    type: str
    actor: Actor
    target: Target | None
    organization_id: int | None = None
    diff: dict[str, list[Any]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    ip: str | None = None
    user_agent: str = ""
    request_id: str | None = None
    occurred_at: datetime | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["occurred_at"] = self.occurred_at.isoformat() if self.occurred_at else None
        return data
