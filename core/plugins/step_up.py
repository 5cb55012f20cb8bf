"""``step_up_required``: ask for a recent second factor before a sensitive action.

    from core.plugins import step_up_required

    @step_up_required
    def install_license(request): ...

On a POST (or any unsafe method) by someone who has a second factor and last used it longer
ago than ``ANNEAL_MFA_STEP_UP_SECONDS``, the view does not run: a browser is sent to confirm
with a second factor and then back to the page; an API request gets 403 with the code
``step_up_required``. Requests authenticated with an API token are not asked: a token is a
separate credential. Safe methods (GET, HEAD) always run, so the form is shown.

This module imports nothing from Django models at import time: plugins may import it while
settings load.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

V = TypeVar("V", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def step_up_required(view: V) -> V:
    """Decorate a Django function view (or a DRF view's handler) that changes something sensitive."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from core.mfa import step_up

        request = step_up.request_of(args)
        if request.method not in SAFE_METHODS and step_up.needs_step_up(request):
            return step_up.step_up_response(request)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
