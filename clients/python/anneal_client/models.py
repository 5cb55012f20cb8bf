"""The API's resources as frozen dataclasses. Fields a newer server adds are ignored."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Builds ``cls`` from a response object, keeping only the fields ``cls`` declares."""
    names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{key: value for key, value in data.items() if key in names})


@dataclasses.dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    is_staff: bool
    date_joined: str


@dataclasses.dataclass(frozen=True)
class Organization:
    id: int
    name: str
    slug: str
    created_at: str
    role: str | None = None


@dataclasses.dataclass(frozen=True)
class Project:
    id: int
    organization: str
    name: str
    slug: str
    description: str
    created_at: str


@dataclasses.dataclass(frozen=True)
class Member:
    id: int
    user: dict[str, Any]
    role: str
    created_at: str


@dataclasses.dataclass(frozen=True)
class Invitation:
    id: int
    email: str
    role: str
    status: str
    invited_by: str | None
    created_at: str
    expires_at: str


@dataclasses.dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    prefix: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None
    token: str | None = None  # only in the answer that creates the token


@dataclasses.dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    detail: str
