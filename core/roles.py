"""Organization roles and what each may do. Roles are ordered: each includes the ones below it."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    """A member's role in an organization, lowest first: each role may do everything the ones below it may.

    ``viewer`` reads; ``member`` also writes (projects and plugin content); ``admin`` also manages
    (members, invitations, settings); ``owner`` also owns (deleting the organization, granting
    owner, organization-wide policies such as MFA).
    """

    VIEWER = "viewer"
    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: "Role | str") -> bool:
        return self.rank >= Role(other).rank

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(role.value, role.value.title()) for role in cls]


_RANKS = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Permission(str, Enum):
    """What an action needs. Each maps to the lowest role allowed to do it (``REQUIRED_ROLE``).

    ``VIEW``: viewer and above; ``WRITE``: member and above; ``MANAGE``: admin and above;
    ``OWN``: owner only.
    """

    VIEW = "view"
    WRITE = "write"
    MANAGE = "manage"
    OWN = "own"


REQUIRED_ROLE: dict[Permission, Role] = {
    Permission.VIEW: Role.VIEWER,
    Permission.WRITE: Role.MEMBER,
    Permission.MANAGE: Role.ADMIN,
    Permission.OWN: Role.OWNER,
}


def allows(role: Role | str | None, permission: Permission) -> bool:
    """Whether ``role`` (a ``Role`` or its value) is at least the lowest role ``permission`` needs."""
    return role is not None and Role(role).at_least(REQUIRED_ROLE[permission])
