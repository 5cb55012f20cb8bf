"""Role mapping: IdP groups to organization roles.

``groups is None`` means the IdP did not say (claim missing): the current role is kept, so an
IdP quirk never demotes anybody. An empty list means "in no group": the default role applies.
"""

from __future__ import annotations

from typing import Any

from core.roles import Role


def groups_from(claims: dict[str, Any], attribute: str) -> list[str] | None:
    if not attribute or attribute not in claims:
        return None
    value = claims[attribute]
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return None


def mapped_role(mapping: dict[str, str], default_role: str, groups: list[str] | None) -> Role | None:
    """The role the groups grant, ``default_role`` when none matches, ``None`` when unknown."""
    if groups is None or not mapping:
        return None
    granted = [Role(mapping[g]) for g in groups if g in mapping and mapping[g] in Role._value2member_map_]
    if not granted:
        return Role(default_role)
    return max(granted, key=lambda role: role.rank)


def validate_mapping(mapping: Any) -> dict[str, str]:
    if not isinstance(mapping, dict):
        raise ValueError('The role mapping is a JSON object of IdP group to role, for example {"admins": "admin"}.')
    roles = {r.value for r in Role}
    for group, role in mapping.items():
        if role not in roles:
            raise ValueError(f"Group {group!r} maps to {role!r}, which is not one of: {', '.join(sorted(roles))}.")
    return {str(k): str(v) for k, v in mapping.items()}
