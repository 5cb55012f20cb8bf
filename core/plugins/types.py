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
    """A Celery task run every ``seconds`` seconds by ``anneal beat`` (or in-process).

    ``per_organization=True`` (hook API 1.2): the task is run once for each organization the
    plugin is on for, with the keyword argument ``organization_id``.
    """

    name: str
    task: str
    seconds: float
    kwargs: dict[str, Any] = field(default_factory=dict)
    per_organization: bool = False


@dataclass(frozen=True)
class EventType:
    """A kind of domain event, as listed in the event registry."""

    name: str
    description: str
    category: str
    severity: Severity = "info"


@dataclass(frozen=True)
class Feature:
    """A named capability that the entitlement chain can switch on or off.

    ``default`` is the answer when nobody decides. ``edition`` names the edition that offers it
    (``"free"``, ``"enterprise"``, or your product's), shown in upgrade prompts; it switches
    nothing on by itself. What decides is ``anneal_feature_enabled``: the enterprise package
    answers from the license in force, which grants a plugin's ``<plugin>.<feature>`` features
    only when the key was signed by that plugin's vendor (``anneal_license_issuers``; see
    docs/enterprise/licensing.md, "For plugin vendors").
    """

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


SettingKind = Literal["text", "secret", "bool", "int", "choice", "url"]


@dataclass(frozen=True)
class PluginSetting:
    """A setting a plugin declares through ``anneal_plugin_settings`` (hook API 1.2).

    ``scope`` is ``"instance"`` (instance staff set it on the System page) or ``"organization"``
    (each organization's admins set it in its settings; an organization without a value gets the
    instance value, if the setting also exists there, else ``default``). ``kind`` decides the
    form field, the validation and the type the plugin reads back: ``text`` and ``url`` (``str``),
    ``secret`` (``str``, stored encrypted and never shown or returned again), ``bool``, ``int``
    (within ``minimum``/``maximum``) and ``choice`` (one of ``choices``).
    """

    name: str
    label: str
    kind: SettingKind = "text"
    scope: Literal["instance", "organization"] = "instance"
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None


UpgradeLevel = Literal["ok", "warning", "blocker"]


@dataclass(frozen=True)
class UpgradeFinding:
    """One result of ``anneal upgrade check``: a ``blocker`` makes the check fail (exit status 1).

    ``topic`` groups findings in the report (``"license"``, ``"migrations"``, ...); ``message``
    says what was found and, for a warning or blocker, what to do.
    """

    level: UpgradeLevel
    topic: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UpgradeTarget:
    """The version an upgrade would install, as ``anneal upgrade check`` sees it before anything changes.

    ``distributions`` maps each lowercased distribution name of the new installation to its
    version. :meth:`read_text` reads a data file of one of its packages, e.g.
    ``target.read_text("anneal_enterprise.licensing", "keys/keys.json")``, or returns ``None``
    when the new installation does not have it.
    """

    version: str
    distributions: dict[str, str]
    package_locations: dict[str, str] = field(default_factory=dict)  # top-level package -> folder
    search_path: tuple[str, ...] = ()

    def read_text(self, package: str, resource: str) -> str | None:
        from pathlib import Path

        top, _, rest = package.partition(".")
        roots = [Path(self.package_locations[top])] if top in self.package_locations else []
        roots += [Path(entry) / top for entry in self.search_path]
        for root in roots:
            candidate = root.joinpath(*rest.split("."), resource) if rest else root / resource
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        return None


@dataclass(frozen=True)
class Meter:
    """Something an organization's use of the product is counted in (``core.metering``).

    ``name`` is ``<plugin>.<what>`` (``webhooks.deliveries``); ``unit`` is what one counts
    (``delivery``, ``token``, ``request``); ``description`` says what is counted and when.
    """

    name: str
    unit: str
    description: str


@dataclass(frozen=True)
class LicenseIssuer:
    """A plugin's vendor, whose license keys may grant that plugin's features.

    ``public_keys`` maps each key id to ``(kind, key)``: ``kind`` is ``"production"`` or
    ``"test"``, ``key`` an Ed25519 public key as PEM text or the base64 of its 32 raw bytes.
    ``features`` are the licensed features, each named ``<plugin>.<feature>`` after the plugin
    that declares the issuer; ``label`` is the product's name as licenses show it.
    """

    label: str
    public_keys: dict[str, tuple[str, str]]
    features: tuple[str, ...] = ()


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
