"""Who is acting and from where, for the events emitted while a request or task runs."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator

from core.events.types import Actor


@dataclass(frozen=True)
class RequestInfo:
    request_id: str | None = None
    ip: str | None = None
    user_agent: str = ""
    request: Any = None


_request_info: ContextVar[RequestInfo] = ContextVar("anneal_request_info", default=RequestInfo())
_actor: ContextVar[Actor | None] = ContextVar("anneal_actor", default=None)


def current_request_info() -> RequestInfo:
    return _request_info.get()


@contextlib.contextmanager
def request_context(info: RequestInfo) -> Iterator[RequestInfo]:
    token = _request_info.set(info)
    try:
        yield info
    finally:
        _request_info.reset(token)


@contextlib.contextmanager
def actor_context(actor: Actor) -> Iterator[Actor]:
    """Attribute the events emitted inside the block to ``actor`` (a SCIM client, a task...)."""
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def actor_for_user(user: Any, token: Any = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(kind="anonymous", display="anonymous")
    if token is not None:
        return Actor(kind="token", id=str(user.pk), display=f"{user.email} (token {token.prefix}…)",
                     user_id=user.pk, token_id=token.pk)
    return Actor(kind="user", id=str(user.pk), display=user.email, user_id=user.pk)


def current_actor() -> Actor:
    """The explicit actor if one was set, else the request's user or token, else the system."""
    actor = _actor.get()
    if actor is not None:
        return actor
    request = _request_info.get().request
    if request is None:
        return Actor.system()
    override = getattr(request, "anneal_actor", None)
    if override is not None:
        return override
    user = getattr(request, "user", None)
    return actor_for_user(user, getattr(request, "auth_token", None))
