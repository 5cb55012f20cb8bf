"""Value types that hook implementations receive and return.

They are plain frozen dataclasses so that a plugin can build them without touching
Django, and the core can validate what each plugin contributed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Literal

Severity = Literal["info", "notice", "warning", "critical"]


@dataclass(frozen=True)
class Refusal:
    """A policy hook's answer that stops an action; ``reason`` is shown to the person."""

    reason: str
    code: str = "refused"


@dataclass(frozen=True)
class SignInMethod:
    """An extra way to sign in, offered as a button or form on the sign-in page."""

    id: str
    label: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class NavItem:
    """A navigation entry. ``section`` is ``"main"``, ``"organization"`` or ``"admin"``."""

    label: str
    url: str
    section: Literal["main", "organization", "admin"] = "main"
    order: int = 100
    feature: str | None = None


@dataclass(frozen=True)
class SettingsSection:
    """A section of an organization's settings, shown as a tab linking to ``url``."""

    id: str
    label: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class PeriodicTask:
    """A Celery task run every ``seconds`` seconds by ``anneal beat`` (or in-process)."""

    name: str
    task: str
    seconds: float
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventType:
    """A kind of domain event, as listed in the event registry."""

    name: str
    description: str
    category: str
    severity: Severity = "info"


@dataclass(frozen=True)
class Feature:
    """A named capability that the entitlement chain can switch on or off."""

    name: str
    description: str
    default: bool = False
    edition: str = "free"


@dataclass(frozen=True)
class HealthCheckResult:
    ok: bool
    message: str = ""
    hint: str = ""


@dataclass(frozen=True)
class HealthCheck:
    """A named check of a dependency. ``critical`` checks decide ``/readyz``."""

    id: str
    description: str
    check: Callable[[], HealthCheckResult]
    critical: bool = True


@dataclass(frozen=True)
class DiagnosticCollector:
    """A section of the system report and of support bundles.

    ``collect`` returns JSON-serialisable data or text. It must gather counts and
    metadata, never customer content.
    """

    id: str
    description: str
    collect: Callable[[], Any]
    default: bool = True


@dataclass(frozen=True)
class EgressDestination:
    """A place the instance may connect to, listed on the egress ledger page.

    ``category`` groups rows ("SSO provider", "Audit streaming", "Webhook endpoint");
    ``address`` is a URL (``https://idp.example/``) or ``host:port``, matched with the
    contacts :mod:`core.outbound` records; ``organization`` names who configured it (empty:
    the instance itself).
    """

    category: str
    name: str
    address: str
    organization: str = ""


@dataclass(frozen=True)
class SecondFactorType:
    """A kind of second factor that people enroll and that the sign-in's second step accepts.

    ``is_enrolled(user)`` says whether ``user`` has one set up. ``form(request, user)`` returns
    the HTML of the inputs shown on the second-step page (inside a form that the core renders,
    with its CSRF token and a hidden ``factor`` input holding ``id``). ``verify(request, user)``
    reads those inputs from ``request.POST`` and returns ``True`` for a right answer; it must
    refuse a replayed answer. ``phishing_resistant`` marks factors bound to the site's origin
    (passkeys). ``manage_url`` is where a person sets it up or removes it; ``enroll_label`` is
    the link text shown when they must set one up. A ``backup`` factor (recovery codes) is
    accepted at the second step but does not by itself count as having MFA set up.
    """

    id: str
    label: str
    is_enrolled: Callable[[Any], bool]
    form: Callable[[Any, Any], str]
    verify: Callable[[Any, Any], bool]
    manage_url: str = ""
    enroll_label: str = ""
    phishing_resistant: bool = False
    backup: bool = False
    order: int = 100


@dataclass(frozen=True)
class FactorRequirement:
    """A rule that a person must use a second factor.

    ``source`` names who asks (``"organization:acme"``, ``"instance:staff"``); ``reason`` is shown
    to the person. Before ``deadline`` the rule only reminds (a grace period); from it on, a
    person without an accepted factor is guided through enrollment before anything else.
    ``None`` means in force now. ``factor_types`` lists the accepted
    :class:`SecondFactorType` ids (``None``: any).
    """

    source: str
    reason: str
    deadline: datetime | None = None
    factor_types: frozenset[str] | None = None
