"""The core's own event types, registered through the same hook plugins use."""

from core.plugins import EventType, hookimpl

CORE_EVENT_TYPES = [
    EventType("user.signed_in", "A user signed in.", "authentication"),
    EventType("user.sign_in_failed", "A sign-in attempt failed.", "authentication", "warning"),
    EventType("user.sign_in_throttled",
              "Too many sign-ins failed for an account or from an address; password sign-ins are refused for a while.",
              "authentication", "warning"),
    EventType("user.signed_out", "A user signed out.", "authentication"),
    EventType("user.created", "A user account was created.", "user"),
    EventType("user.updated", "A user's profile was changed.", "user"),
    EventType("user.password_changed", "A user changed or reset their password.", "user", "notice"),
    EventType("user.deactivated", "A user account was deactivated.", "user", "notice"),
    EventType("organization.created", "An organization was created.", "organization"),
    EventType("organization.updated", "An organization's settings were changed.", "organization"),
    EventType("organization.deleted", "An organization was deleted.", "organization", "warning"),
    EventType("membership.created", "A user joined an organization.", "membership"),
    EventType("membership.role_changed", "A member's role was changed.", "membership", "notice"),
    EventType("membership.deleted", "A member left or was removed from an organization.", "membership", "notice"),
    EventType("invitation.created", "Someone was invited to an organization.", "invitation"),
    EventType("invitation.accepted", "An invitation was accepted.", "invitation"),
    EventType("invitation.revoked", "An invitation was revoked.", "invitation"),
    EventType("project.created", "A project was created.", "project"),
    EventType("project.updated", "A project was changed.", "project"),
    EventType("project.deleted", "A project was deleted.", "project", "notice"),
    EventType("token.created", "An API token was created.", "token", "notice"),
    EventType("token.revoked", "An API token was revoked.", "token", "notice"),
    EventType("plugin.availability_changed",
              "Instance staff changed which organizations a plugin is on for.", "plugin", "notice"),
    EventType("plugin.enabled", "A plugin was switched on for an organization.", "plugin", "notice"),
    EventType("plugin.disabled", "A plugin was switched off for an organization.", "plugin", "notice"),
    EventType("plugin.settings_changed", "A plugin's settings were changed (secrets redacted).", "plugin", "notice"),
]


@hookimpl
def anneal_event_types() -> list[EventType]:
    return CORE_EVENT_TYPES
