"""The SSO and SCIM event types, emitted through the core's ``core.events.emit``."""

from __future__ import annotations

from core.plugins import EventType

SIGNED_IN = "sso.signed_in"
SIGN_IN_FAILED = "sso.sign_in_failed"
PROVIDER_CREATED = "sso.provider_created"
PROVIDER_UPDATED = "sso.provider_updated"
PROVIDER_DELETED = "sso.provider_deleted"
SETTINGS_CHANGED = "sso.settings_changed"
DOMAIN_ADDED = "sso.domain_added"
DOMAIN_REMOVED = "sso.domain_removed"
DOMAIN_VERIFIED = "sso.domain_verified"
DOMAIN_VERIFICATION_FAILED = "sso.domain_verification_failed"
METADATA_REFRESHED = "sso.metadata_refreshed"
SCIM_TOKEN_CREATED = "scim.token_created"
SCIM_TOKEN_REVOKED = "scim.token_revoked"
SCIM_USER_CREATED = "scim.user_created"
SCIM_USER_UPDATED = "scim.user_updated"
SCIM_USER_DEACTIVATED = "scim.user_deactivated"
SCIM_USER_REACTIVATED = "scim.user_reactivated"
SCIM_USER_DELETED = "scim.user_deleted"
SCIM_CHANGE_REFUSED = "scim.change_refused"
SCIM_GROUP_CREATED = "scim.group_created"
SCIM_GROUP_UPDATED = "scim.group_updated"
SCIM_GROUP_DELETED = "scim.group_deleted"

EVENT_TYPES = [
    EventType(SIGNED_IN, "A user signed in through an organization's identity provider.", "authentication"),
    EventType(SIGN_IN_FAILED, "An SSO sign-in was refused; data.reason says why.", "authentication", "warning"),
    EventType(PROVIDER_CREATED, "An identity provider was added to an organization.", "sso", "notice"),
    EventType(PROVIDER_UPDATED, "An identity provider's configuration was changed.", "sso", "notice"),
    EventType(PROVIDER_DELETED, "An identity provider was removed.", "sso", "notice"),
    EventType(SETTINGS_CHANGED, "An organization's SSO enforcement settings were changed.", "sso", "notice"),
    EventType(DOMAIN_ADDED, "An email domain was claimed for SSO; it is pending until its DNS TXT record is verified.",
              "sso", "notice"),
    EventType(DOMAIN_VERIFIED, "An email domain's DNS TXT record was found: it now routes SSO sign-in and allows "
              "account linking.", "sso", "notice"),
    EventType(DOMAIN_VERIFICATION_FAILED, "An email domain's DNS TXT record check failed; data.reason says why.",
              "sso", "warning"),
    EventType(DOMAIN_REMOVED, "An email domain was removed from SSO routing.", "sso", "notice"),
    EventType(METADATA_REFRESHED, "A SAML identity provider's metadata was fetched again.", "sso"),
    EventType(SCIM_TOKEN_CREATED, "A SCIM provisioning token was created.", "scim", "notice"),
    EventType(SCIM_TOKEN_REVOKED, "A SCIM provisioning token was revoked.", "scim", "notice"),
    EventType(SCIM_USER_CREATED, "SCIM provisioned a member.", "scim"),
    EventType(SCIM_USER_UPDATED, "SCIM changed a member.", "scim"),
    EventType(SCIM_USER_DEACTIVATED, "SCIM deactivated a member: the account when SCIM manages it, else only the "
              "membership (data.scope says which).", "scim", "notice"),
    EventType(SCIM_USER_REACTIVATED, "SCIM reactivated a member (data.scope: account or membership).", "scim", "notice"),
    EventType(SCIM_USER_DELETED, "SCIM deleted a user: the membership is removed, the account deactivated when SCIM "
              "manages it.", "scim", "notice"),
    EventType(SCIM_CHANGE_REFUSED, "A SCIM change was refused (an account SCIM does not manage, an unverified email "
              "domain, the last owner, a conflict); data.detail says why.", "scim", "warning"),
    EventType(SCIM_GROUP_CREATED, "SCIM created a group.", "scim"),
    EventType(SCIM_GROUP_UPDATED, "SCIM changed a group or its members.", "scim"),
    EventType(SCIM_GROUP_DELETED, "SCIM deleted a group.", "scim"),
]
