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


@dataclass(frozen=True)
class TrialOffer:
    """An offline, time-limited trial of a product's edition, started by an instance admin.

    ``grant`` is a license key of kind ``"trial"`` signed with one of the product's keys and
    shipped in the product's distribution: it carries a duration rather than fixed dates, and an
    instance may start it once. ``days`` is the trial's length (the grant's own duration applies
    when it is shorter); ``enabled=False`` switches trials off.
    """

    grant: str = ""
    days: int = 30
    enabled: bool = True


@dataclass(frozen=True)
class ProductLicensing:
    """Whose license keys unlock a product built on Anneal, and what they may unlock.

    ``product_id`` is the product every key must name. ``public_keys`` maps each key id to
    ``(kind, key)`` as in :class:`LicenseIssuer` (kind ``"production"`` or ``"test"``).
    ``features`` are the product's own licensed features (gate them with
    ``core.features.has``); ``includes_enterprise`` lets the product's keys grant Anneal
    Enterprise's features too (``sso``, ``audit_log``, ``support``...), as an edition that
    bundles them. Keys signed by Anneal are not trusted for the product unless
    ``trust_anneal_keys`` is set. ``edition`` names the edition the keys unlock on pages and in
    messages (default: the product's name and "Enterprise").
    """

    product_id: str
    public_keys: dict[str, tuple[str, str]]
    features: tuple[str, ...] = ()
    includes_enterprise: bool = True
    trust_anneal_keys: bool = False
    trial: TrialOffer | None = None
    edition: str = ""


@dataclass(frozen=True)
class Product:
    """The identity of the product an instance runs: Anneal itself, or a vendor's product built on it.

    Every field but ``name`` is optional; an empty field falls back to one derived from
    ``name`` or to Anneal's. ``logo`` and ``favicon`` are static file paths inside the
    distribution's Django app (served offline like any static file). ``colors`` and
    ``dark_colors`` set the design system's CSS custom properties (``{"--accent": "#0b6e4f"}``)
    for the light and the dark theme. ``footer`` and ``sign_in_text`` are plain text.
    ``built_on_anneal`` keeps a "Built on Anneal" line in the footer. ``cli_name`` is the
    command people type (``--help`` and messages use it); ``file_prefix`` starts the names of
    support bundles and exports. The URLs are only linked, never fetched. ``release_keys`` maps
    key ids to the Ed25519 public keys (PEM text, or the base64 of the 32 raw bytes) that sign
    the product's releases: ``anneal release verify`` trusts them instead of Anneal's.
    """

    name: str
    short_name: str = ""
    version: str = ""
    logo: str = ""
    favicon: str = ""
    colors: dict[str, str] = field(default_factory=dict)
    dark_colors: dict[str, str] = field(default_factory=dict)
    footer: str = ""
    built_on_anneal: bool = True
    sign_in_text: str = ""
    docs_url: str = ""
    support_url: str = ""
    purchase_url: str = ""
    contact_url: str = ""
    email_sender_name: str = ""
    email_subject_prefix: str = ""
    api_title: str = ""
    cli_name: str = ""
    file_prefix: str = ""
    licensing: ProductLicensing | None = None
    release_keys: dict[str, str] = field(default_factory=dict)
