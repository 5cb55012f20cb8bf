"""The support features' event types."""

from core.plugins import EventType

SUPPORT_EVENT_TYPES = [
    EventType("support.bundle_created", "A support bundle was requested.", "support", "notice"),
    EventType("support.bundle_downloaded", "A support bundle was downloaded.", "support", "notice"),
    EventType("support.bundle_deleted", "A support bundle was deleted or expired.", "support"),
    EventType("support.access_granted", "An owner granted the vendor's support access.", "support", "warning"),
    EventType("support.access_used", "A support engineer signed in with a grant.", "support", "warning"),
    EventType("support.access_extended", "A support access grant was extended.", "support", "notice"),
    EventType("support.access_revoked", "A support access grant was revoked.", "support", "notice"),
    EventType("support.access_expired", "A support access grant expired.", "support"),
    EventType("support.access_refused", "Someone tried to use an expired, revoked or used support link.",
              "support", "warning"),
]
