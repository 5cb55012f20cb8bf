"""The support engineer's separate, short session: which grant it uses and when it was last active."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import login

from anneal_enterprise.support import conf
from anneal_enterprise.support.access import support_actor
from anneal_enterprise.support.models import SupportGrant

GRANT_KEY = "anneal_support_grant"
SEEN_KEY = "anneal_support_seen"


def start(request: Any, grant: SupportGrant) -> None:
    """Replace whatever session this browser had with a fresh support session for ``grant``."""
    request.session.flush()
    request.anneal_actor = support_actor(grant)
    login(request, grant.principal, backend="django.contrib.auth.backends.ModelBackend")
    request.session[GRANT_KEY] = grant.pk
    touch(request)


def touch(request: Any) -> None:
    request.session[SEEN_KEY] = time.time()
    request.session.set_expiry(int(conf.idle_minutes() * 60))


def idle_seconds(request: Any) -> float:
    seen = request.session.get(SEEN_KEY)
    return float("inf") if seen is None else time.time() - float(seen)


def grant_id(request: Any) -> int | None:
    return request.session.get(GRANT_KEY)
