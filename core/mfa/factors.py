"""The registered factor types, asked through ``anneal_second_factor_types``."""

from __future__ import annotations

from core.models import User
from core.plugins import SecondFactorType, hooks


def types() -> list[SecondFactorType]:
    registered = hooks.second_factor_types()
    ids = [t.id for t in registered]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuntimeError(f"Two plugins register the second factor type {', '.join(duplicates)}; ids must be unique.")
    return registered


def by_id(factor_id: str) -> SecondFactorType | None:
    return next((t for t in types() if t.id == factor_id), None)


def enrolled(user: User) -> list[SecondFactorType]:
    """The types ``user`` has set up, backups (recovery codes) included."""
    return [t for t in types() if t.is_enrolled(user)]


def has_second_factor(user: User) -> bool:
    """Whether ``user`` has a factor that is not only a backup: then every sign-in asks for one."""
    return any(not t.backup for t in enrolled(user))
