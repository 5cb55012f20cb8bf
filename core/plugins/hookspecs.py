"""Every hook that Anneal's core calls. This module is the plugin contract.

Each hook is a function with no body. Its docstring says when the core calls it, what each
argument is, what it returns and how failures are handled. ``@spec`` records, as ``<hook>.anneal_contract``, in a form the
docs generator and the facade can read:

* ``since``: the hook API version in which the hook appeared;
* ``stage``: ``"settings"`` hooks are called while Django settings load, before any app is
  ready (implement them in your plugin's entry-point module and import nothing from Django
  models there); ``"runtime"`` hooks are called once apps are ready;
* ``failure``: ``"isolated"`` means each plugin's implementation is called on its own and an
  exception is logged and attributed to that plugin while the others still run;
  ``"propagates"`` means the hook decides correctness or security, so an exception is never
  swallowed: the request or transaction fails closed;
  a propagating hook runs inside the request it decides, so it must be fast: each
  implementation is timed, and one that takes longer than ``ANNEAL_HOOK_BUDGET_MS`` (default
  250 ms) is logged with the plugin's name, counted, and shown on the System page and in
  ``anneal plugins``. It is not interrupted (a policy cut short could not fail closed), so the
  request waits: cache what you need, and do no remote calls;
* ``firstresult``: the first implementation that returns something other than ``None``
  decides, and the rest are not called.

Arguments are always passed by keyword and an implementation may accept any subset of them,
so adding an argument in a later version never breaks an existing plugin.

Renamed or retired hooks and arguments are marked with ``deprecated`` or
``deprecated_arguments`` for one minor release, during which plugins that use them still work
and get a :class:`HookDeprecationWarning`; then they move to :data:`RETIRED_HOOKS`. The policy is
in ``docs/plugins/changelog.md``. ``docs/plugins/hooks.md`` is generated from this module
(``anneal plugins docs --output docs/plugins/hooks.md``) and a test keeps it current.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, TypeVar

import pluggy

if TYPE_CHECKING:
    from django.core.management import BaseCommand
    from django.http import HttpRequest
    from django.urls import URLPattern, URLResolver

    from core.events.types import Actor, Event
    from core.models import Organization, User
    from core.plugins.types import (
        DiagnosticCollector,
        EgressDestination,
        EventType,
        FactorRequirement,
        Feature,
        HealthCheck,
        LicenseIssuer,
        Meter,
        NavItem,
        PeriodicTask,
        PluginSetting,
        Product,
        Refusal,
        SecondFactorType,
        SettingsSection,
        SignInMethod,
        UpgradeFinding,
        UpgradeTarget,
    )

PROJECT_NAME = "anneal"
HOOK_API_VERSION = "1.3"

_hookspec = pluggy.HookspecMarker(PROJECT_NAME)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Deprecation:
    """A hook, or one argument of a hook, that is on its way out.

    ``since`` is the hook API version that deprecated it and ``removal`` the version that
    removes it, one minor release later (see ``docs/plugins/changelog.md``). ``instead`` tells
    a plugin author what to use now.
    """

    since: str
    removal: str
    instead: str

    def message(self, what: str) -> str:
        return (
            f"{what} is deprecated since Anneal hook API {self.since} and will be removed in "
            f"{self.removal}: {self.instead}"
        )


class HookDeprecationWarning(FutureWarning):
    """Warned when a plugin implements a deprecated hook or asks for a deprecated argument.

    A ``FutureWarning`` so that it is shown by default, to the people who can act on it.
    """


@dataclass(frozen=True)
class SpecInfo:
    since: str
    stage: Literal["settings", "runtime"]
    failure: Literal["isolated", "propagates"]
    firstresult: bool
    deprecated: Deprecation | None = None
    deprecated_arguments: Mapping[str, Deprecation] = field(default_factory=dict)


def spec(
    *,
    since: str,
    stage: Literal["settings", "runtime"] = "runtime",
    failure: Literal["isolated", "propagates"] = "isolated",
    firstresult: bool = False,
    deprecated: Deprecation | None = None,
    deprecated_arguments: Mapping[str, Deprecation] | None = None,
) -> Callable[[F], F]:
    """Mark a function as a hook specification and record its contract metadata.

    ``deprecated`` makes pluggy warn (:class:`HookDeprecationWarning`) when a plugin that
    implements the hook is registered; ``deprecated_arguments`` does the same for an
    implementation that asks for one of the named arguments.
    """

    def mark(function: F) -> F:
        arguments = dict(deprecated_arguments or {})
        unknown = set(arguments) - set(inspect.signature(function).parameters)
        if unknown:
            raise ValueError(
                f"{function.__name__} has no argument {', '.join(sorted(unknown))} to deprecate; "
                "keep a deprecated argument in the signature until its removal release."
            )
        function.anneal_contract = SpecInfo(  # type: ignore[attr-defined]
            since, stage, failure, firstresult, deprecated, arguments
        )
        warn_on_impl = (
            HookDeprecationWarning(deprecated.message(f"The hook {function.__name__}"))
            if deprecated
            else None
        )
        warn_on_impl_args = {
            argument: HookDeprecationWarning(
                deprecation.message(f"The argument {argument!r} of {function.__name__}")
            )
            for argument, deprecation in arguments.items()
        }
        return _hookspec(
            firstresult=firstresult,
            warn_on_impl=warn_on_impl,
            warn_on_impl_args=warn_on_impl_args or None,
        )(function)

    return mark


#: Hooks that were removed, with what to use instead. A plugin that still implements one is
#: refused with this message rather than a bare "unknown hook".
RETIRED_HOOKS: dict[str, str] = {}


# --- Contributing to Django --------------------------------------------------------------


@spec(since="1.0", stage="settings")
def anneal_django_apps() -> list[str]:
    """Django apps that this plugin adds to ``INSTALLED_APPS``.

    Called once while settings load. Return a list of app module paths, for example
    ``["anneal_webhooks"]``. Apps are appended after the core's own apps, in plugin load order.
    """


@spec(since="1.0", stage="settings")
def anneal_middleware() -> list[str]:
    """Middleware classes that this plugin appends to ``MIDDLEWARE``.

    Called once while settings load. Return dotted paths. They run after the core's own
    middleware, so ``request.user`` and the request id are already set.
    """


@spec(since="1.0", stage="settings")
def anneal_authentication_backends() -> list[str]:
    """Authentication backends that this plugin adds to ``AUTHENTICATION_BACKENDS``.

    Called once while settings load. Return dotted paths; they are tried after the core's
    password backend.
    """


@spec(since="1.0", stage="settings")
def anneal_settings_defaults() -> dict[str, Any]:
    """Default values for Django settings that this plugin reads.

    Called once while settings load. Return a mapping of setting name to value. A value is
    only used when the setting is not already defined, so the core's and the operator's
    settings always win.
    """


@spec(since="1.0")
def anneal_urlpatterns() -> list[URLPattern | URLResolver | str] | str:
    """Web pages that this plugin serves.

    Called once when the URL configuration is built. Return the URL patterns, or (since hook API
    1.2) the dotted path of a module whose ``urlpatterns`` list holds them, such as
    ``"anneal_hello.urls"``, or a list mixing both. The patterns are mounted under
    ``/plugins/<plugin name>/`` with the plugin's name as URL namespace, so
    ``reverse("<plugin name>:<url name>")`` finds them. A module that fails to import, or has no
    ``urlpatterns``, leaves this plugin's pages out and counts as a failure of this hook.
    """


@spec(since="1.0")
def anneal_api_urlpatterns() -> list[URLPattern | URLResolver | str] | str:
    """REST API routes that this plugin serves.

    Called once when the URL configuration is built. Return the URL patterns, or (since hook API
    1.2) the dotted path of a module whose ``urlpatterns`` holds them, or a list mixing both, as
    for :func:`anneal_urlpatterns`. Mounted under ``/api/v1/plugins/<plugin name>/`` with the
    namespace ``api-<plugin name>``; they appear in the OpenAPI schema at ``/api/schema/`` like the
    core's own routes. Route DRF views (``APIView``, ``GenericAPIView`` or ``@api_view``) that
    declare their serializers (``serializer_class`` or ``@extend_schema``), so the operation has
    a documented response.
    """


@spec(since="1.0")
def anneal_task_modules() -> list[str]:
    """Modules holding Celery tasks that are not in a ``tasks.py`` of one of your apps.

    Called once when the Celery app is configured. Tasks in ``<app>/tasks.py`` of an app from
    :func:`anneal_django_apps` are found without this hook.
    """


@spec(since="1.0")
def anneal_periodic_tasks() -> list[PeriodicTask]:
    """Tasks to run on a schedule.

    Called once when the Celery app is configured. With Redis configured they are sent by
    ``anneal beat`` to the workers; on the embedded default an in-process scheduler runs them.
    """


@spec(since="1.0")
def anneal_commands() -> dict[str, type[BaseCommand]]:
    """Subcommands that this plugin adds to the ``anneal`` command-line tool.

    Called when ``anneal`` starts. Return a mapping of subcommand name to a Django
    ``BaseCommand`` subclass. Commands from your Django apps' ``management/commands`` folders
    are available without this hook; use it for commands that live elsewhere.
    """


# --- Authentication -------------------------------------------------------------------------


@spec(since="1.0")
def anneal_sign_in_methods(request: HttpRequest) -> list[SignInMethod]:
    """Extra ways to sign in, offered on the sign-in page below the password form.

    Called each time the sign-in page renders. ``request`` is the current request.
    """


@spec(since="1.0", failure="propagates")
def anneal_authentication_policy(
    user: User, method: Literal["password", "passkey", "token", "session"], request: HttpRequest | None
) -> Refusal | None:
    """Decide whether ``user`` may sign in or stay signed in with ``method``.

    Called after a password has been checked (``"password"``), after a passkey signed someone in
    without a password (``"passkey"``, since 1.2; treat an unknown method as a local sign-in), on every request authenticated
    by an API token (``"token"``) and on every request of a signed-in browser session
    (``"session"``); never called when no plugin implements it. Return a
    :class:`~core.plugins.types.Refusal` to refuse, with a reason the person will read, or
    ``None`` to have no objection. Any refusal wins. An exception refuses the request.
    Called on every request: an implementation that sleeps or calls a remote service holds
    every request for as long, so answer from memory or a cache; calls over the hook time
    budget are reported with your plugin's name.
    """


@spec(since="1.2", failure="propagates")
def anneal_second_factor_types() -> list[SecondFactorType]:
    """Kinds of second factor that people can enroll and sign in with.

    Called each time the sign-in's second step, step-up or the security page needs the list
    (cheap: return constants). The core registers its own (``"totp"``, ``"passkey"`` and
    ``"recovery_code"``) through this hook too. After a right password, a person who has any
    enrolled factor (``SecondFactorType.is_enrolled``) is asked for one of them before a session
    starts; ``verify`` decides, and each wrong answer counts as a failed sign-in for the account
    and the client address (``core.services.sign_in_throttle``). Ids must be unique. An
    exception fails the sign-in closed: a factor that cannot be checked never lets anyone in.
    """


@spec(since="1.2", failure="propagates")
def anneal_mfa_requirements(user: User) -> list[FactorRequirement]:
    """Rules that make ``user`` use a second factor: the enforcement decision.

    Called after ``user`` proved their password (and second factor, if any), before the session
    starts, and when their security page renders. The core answers for organizations that
    require MFA and for instance staff (``ANNEAL_MFA_REQUIRED_FOR_STAFF``). Return
    :class:`~core.plugins.FactorRequirement` values, or an empty list. When a rule is in force
    (its ``deadline`` passed) and the person has no factor that every rule in force accepts,
    their session can reach only the enrollment pages until they add one; before the deadline
    they are reminded. Not called for sign-ins through an identity provider (SSO): the provider
    is responsible for the second factor there.
    """


@spec(since="1.2", failure="propagates")
def anneal_passkey_registration(user: User, aaguid: str, attestation_format: str) -> Refusal | None:
    """Decide whether ``user`` may register this passkey or security key.

    Called after the browser's registration answer was verified (origin, challenge, signature),
    before the passkey is saved. ``aaguid`` is the authenticator model's id as a UUID string
    (all zeros when the authenticator or the browser hides it; with
    ``ANNEAL_WEBAUTHN_ATTESTATION=direct`` it is attested by the authenticator's certificate)
    and ``attestation_format`` the attestation statement format (``"none"``, ``"packed"``, ...).
    Return a :class:`~core.plugins.types.Refusal` whose reason the person reads, or ``None``.
    Any refusal wins.
    """


@spec(since="1.0", failure="propagates")
def anneal_action_policy(
    action: str, actor: Actor, organization: Organization | None, details: dict[str, Any]
) -> Refusal | None:
    """Decide whether a guarded action may go ahead.

    Called before the core creates an invitation (``"invitation.create"``), adds a member
    (``"membership.create"``), creates an organization (``"organization.create"``) or, since
    1.2, creates a project (``"project.create"``; ``organization`` is the project's) or starts
    new metered work (``"meter.use"``, from ``core.metering.check``; ``details`` holds ``meter``
    and ``quantity``).
    ``details`` holds the action's input (for an invitation: ``email`` and ``role``). Return a
    :class:`~core.plugins.types.Refusal` to stop it with a message, or ``None``. Any refusal wins.
    """


@spec(since="1.0", failure="propagates", firstresult=True)
def anneal_organization_role(user: User, organization: Organization) -> str | None:
    """Grant ``user`` a role in ``organization`` that does not come from a membership.

    Called when the core resolves a user's role and the user has no membership there. Return
    one of ``"owner"``, ``"admin"``, ``"member"``, ``"viewer"``, or ``None`` for no opinion.
    The first answer wins.
    """


# --- Domain events --------------------------------------------------------------------------


@spec(since="1.0")
def anneal_event_types() -> list[EventType]:
    """Event types that this plugin emits, for the event registry.

    Called once when apps are ready. Each name must be unique across plugins; the core's own
    types are registered the same way by its built-in plugin.
    """


@spec(since="1.0", failure="propagates")
def anneal_event(event: Event) -> None:
    """A state change happened.

    Called synchronously inside the database transaction of the change, after it was written.
    Write what you need (an audit record, an outbox row) with the ORM and it commits or rolls
    back with the change. An exception aborts the change, so do no slow or remote work here:
    use :func:`anneal_event_committed` or a Celery task for that.
    """


@spec(since="1.0")
def anneal_event_committed(event: Event) -> None:
    """A state change was committed.

    Called after the transaction that emitted ``event`` commits; never for a rolled-back
    change. Suitable for notifications. Failures are logged and do not affect the change.
    """


@spec(since="1.3", stage="settings")
def anneal_product() -> Product | None:
    """The identity of the product this instance runs, when it is a vendor's product built on Anneal.

    Called once while settings load (implement it in your entry-point module, with no Django
    imports) and again when the plugin set changes; read the answer with
    ``core.product.current()``. Return a :class:`~core.plugins.Product`: its name, logo,
    colours, links and texts replace Anneal's on every page, e-mail, CLI message and file name,
    and its ``licensing`` (product id, public keys, own features, trial) is what the enterprise
    package verifies license keys against. Only one installed distribution may declare a
    product: when two do, the one whose plugin name sorts first wins and the other is logged
    as an error. Return ``None`` (or do not implement the hook) to keep Anneal's identity.

    ``logo`` and ``favicon`` name static files of a Django app in the same distribution, so the
    module answers ``anneal_django_apps`` with that app too. ``colors`` and ``dark_colors`` must map
    custom property names to colours or lengths; any other pair is left out of the page and
    logged. A plugin's own e-mails name the product with ``core.email_delivery.sender()`` and
    ``subject_line()``; its texts with ``core.product.current().name``.
    """


# --- Entitlements ---------------------------------------------------------------------------


@spec(since="1.0")
def anneal_features() -> list[Feature]:
    """Features that this plugin can switch on, with their default when nobody answers.

    Called once when apps are ready.
    """


@spec(since="1.0", failure="propagates", firstresult=True)
def anneal_feature_enabled(name: str, organization: Organization | None) -> bool | None:
    """Is feature ``name`` enabled, for ``organization`` or for the whole instance (``None``)?

    Called by ``features.has(name, organization=...)`` at most once per request for each
    name and organization. Return ``True`` or ``False`` to decide, or ``None`` for no opinion;
    the first answer wins and the feature's registered default applies when nobody answers.
    Keep it cheap: no signature checks or remote calls here. The answer may depend on the
    organization's id only: it is cached per feature and organization id (for the process
    when your plugin implements ``anneal_feature_answers_valid_for``, else for the request).
    """


@spec(since="1.2")
def anneal_feature_answers_valid_for() -> float | None:
    """For how many seconds from now your ``anneal_feature_enabled`` answers stay valid.

    Called when the core refills its process-wide cache of feature answers: after the
    plugin set changed, after ``core.features.invalidate()`` was called, or when the
    shortest lifetime declared last time has run out. Return a number of seconds (``0``:
    do not cache now); the core keeps answers for the smallest lifetime declared. A plugin
    that implements ``anneal_feature_enabled`` but not this hook has its answers cached for
    one request only, as before 1.2. Call ``core.features.invalidate()`` when what you answer
    changes earlier than declared (the licensing package does when a license is installed).
    """


# --- User interface -------------------------------------------------------------------------


@spec(since="1.0")
def anneal_navigation(request: HttpRequest, organization: Organization | None) -> list[NavItem]:
    """Navigation entries for the current page.

    Called for each rendered page. ``organization`` is the organization the page belongs to,
    if any. Return only entries ``request.user`` may open (check the role with
    ``core.access.role_of`` and ``core.roles.allows``): navigation never leads to "Not allowed".
    Entries with a ``feature`` are shown with an upgrade badge when it is disabled; their page
    should answer 200 with the upgrade prompt (``{% feature_unavailable %}``).
    """


@spec(since="1.0")
def anneal_settings_sections(
    request: HttpRequest, organization: Organization
) -> list[SettingsSection]:
    """Sections added to an organization's settings, shown as tabs.

    Called when an organization's settings pages render, only for its owners and admins, and
    on their other organization pages that no organization tab matches, to keep the Settings
    tab current on a section served at the plugin's own address.
    """


@spec(since="1.0")
def anneal_template_slot(
    slot: str, request: HttpRequest, context: dict[str, Any]
) -> str | None:
    """HTML to insert into a named slot of a page.

    Called for each slot a page renders. Slots: ``"banner"`` (top of every page),
    ``"system"`` (the System page), ``"organization"`` (an organization's overview),
    ``"project"`` (a project's page), ``"sign_in"`` (below the sign-in form) and
    ``"feature_unavailable"`` (where a disabled feature would be; ``context["feature"]`` names
    it, and an enterprise package can fill it with an upgrade prompt). Return safe HTML or
    ``None``. A plugin that raises is shown as an error box in its place; the page still renders.
    """


@spec(since="1.2")
def anneal_plugin_settings() -> list[PluginSetting]:
    """The settings this plugin offers, instance-wide or per organization.

    Called when a settings page or the settings API is shown and when the plugin reads a value.
    Return :class:`~core.plugins.types.PluginSetting` values. The core renders and validates the
    forms (System → the plugin → Settings for ``scope="instance"``; the organization's Settings →
    the plugin's tab for ``scope="organization"``) and the API
    (``/api/v1/system/plugins/<name>/settings/``, ``/api/v1/organizations/<slug>/plugins/<name>/settings/``),
    stores the values (``secret`` ones encrypted with ``core.secrets``), records each change as a
    ``plugin.settings_changed`` event (secrets redacted), and hands the plugin typed values through
    ``core.plugins.settings.value(plugin, name, organization)``.
    """


# --- Diagnostics ----------------------------------------------------------------------------


@spec(since="1.0")
def anneal_health_checks() -> list[HealthCheck]:
    """Health checks of the things this plugin depends on.

    Called once when apps are ready. Critical checks decide ``/readyz``; all of them show on
    the System page and in ``anneal doctor``.
    """


@spec(since="1.0")
def anneal_diagnostics() -> list[DiagnosticCollector]:
    """Sections of the system report and of support bundles.

    Called once when apps are ready. Each collector gathers counts and metadata, never
    customer content.
    """


# --- Privacy ----------------------------------------------------------------------------------


@spec(since="1.1")
def anneal_egress_destinations() -> list[EgressDestination]:
    """Every destination this plugin may make the server connect to, for the egress ledger.

    Called each time an instance admin opens System → Egress ledger. Return one
    :class:`~core.plugins.EgressDestination` per configured destination (identity provider,
    SIEM, webhook endpoint, ...), across all organizations; connect to them only through
    ``core.outbound``, which records the last contact shown next to each.
    """


# --- Upgrades ---------------------------------------------------------------------------------


@spec(since="1.2")
def anneal_upgrade_checks(target: UpgradeTarget) -> list[UpgradeFinding]:
    """What would break if this installation were upgraded to ``target``.

    Called by ``anneal upgrade check`` in the installed (old) version, before anything changes,
    with :class:`~core.plugins.UpgradeTarget` describing the new version (its version, its
    distributions, and :meth:`~core.plugins.UpgradeTarget.read_text` to read its data files).
    Return :class:`~core.plugins.UpgradeFinding` values: ``blocker`` for what the upgrade would
    break (the check then exits with status 1), ``warning`` for what an admin should know,
    ``ok`` for what was checked and is fine. Read the database, change nothing, and make no
    remote calls. An implementation that raises is reported as a blocker naming the plugin,
    since what it would have checked is unknown.
    """


# --- Metering and licenses --------------------------------------------------------------------


@spec(since="1.2")
def anneal_meters() -> list[Meter]:
    """The meters this plugin records usage in, with their unit and description.

    Called once when apps are ready (and again after plugins change). Name each meter
    ``<plugin>.<what>``. Record usage with ``core.plugins.record_usage(organization, meter,
    quantity)``: it is buffered in memory and aggregated per organization and day, so a call
    costs a dictionary update, never a database write. Recording an undeclared meter raises
    ``ValueError``. Organization admins see each meter on their Usage page.
    """


@spec(since="1.2")
def anneal_license_issuers() -> list[LicenseIssuer]:
    """The vendor of this plugin, whose license keys may unlock this plugin's features.

    Called when the enterprise package verifies license keys (the answer is cached per plugin
    generation). Return one :class:`~core.plugins.LicenseIssuer` with the vendor's public keys
    and the plugin's licensed features, each named ``<plugin>.<feature>`` where ``<plugin>`` is
    this plugin's entry-point name. A key signed by one of these keys may grant only those
    features (never the enterprise package's, nor another plugin's), and must carry the
    product id ``<plugin>``. Key ids already used by another issuer are ignored. Gate the
    features with ``core.features.has("<plugin>.<feature>")``; the core itself never reads this.
    """
