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
        Feature,
        HealthCheck,
        NavItem,
        PeriodicTask,
        Refusal,
        SettingsSection,
        SignInMethod,
    )

PROJECT_NAME = "anneal"
HOOK_API_VERSION = "1.1"

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
def anneal_urlpatterns() -> list[URLPattern | URLResolver]:
    """Web pages that this plugin serves.

    Called once when the URL configuration is built. The patterns are mounted under
    ``/plugins/<plugin name>/`` with the plugin's name as URL namespace, so
    ``reverse("<plugin name>:<url name>")`` finds them.
    """


@spec(since="1.0")
def anneal_api_urlpatterns() -> list[URLPattern | URLResolver]:
    """REST API routes that this plugin serves.

    Called once when the URL configuration is built. Mounted under
    ``/api/v1/plugins/<plugin name>/`` with the namespace ``api-<plugin name>``; they appear in
    the OpenAPI schema at ``/api/schema/`` like the core's own routes.
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
    user: User, method: Literal["password", "token", "session"], request: HttpRequest | None
) -> Refusal | None:
    """Decide whether ``user`` may sign in or stay signed in with ``method``.

    Called after a password has been checked (``"password"``), on every request authenticated
    by an API token (``"token"``) and on every request of a signed-in browser session
    (``"session"``); never called when no plugin implements it. Return a
    :class:`~core.plugins.types.Refusal` to refuse, with a reason the person will read, or
    ``None`` to have no objection. Any refusal wins. An exception refuses the request.
    Called on every request: an implementation that sleeps or calls a remote service holds
    every request for as long, so answer from memory or a cache; calls over the hook time
    budget are reported with your plugin's name.
    """


@spec(since="1.0", failure="propagates")
def anneal_action_policy(
    action: str, actor: Actor, organization: Organization | None, details: dict[str, Any]
) -> Refusal | None:
    """Decide whether a guarded action may go ahead.

    Called before the core creates an invitation (``"invitation.create"``), adds a member
    (``"membership.create"``) or creates an organization (``"organization.create"``).
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
    Keep it cheap: no signature checks or remote calls here.
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
