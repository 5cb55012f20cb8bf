from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.events import Target, emit
from core.events.diff import snapshot
from core.models import User
from core.services.errors import ServiceError
from core.services.names import clean_name

USER_FIELDS = ["email", "name", "is_active", "is_staff"]
NAME_MAX = 150


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if "name" in fields:
        fields["name"] = clean_name(fields["name"], max_length=NAME_MAX)
    return fields


def user_target(user: User) -> Target:
    return Target("user", str(user.pk), user.email)


def create_user(email: str, password: str | None = None, **fields: Any) -> User:
    """Create an account (the password checked by the password validators); emits ``user.created``."""
    fields = _clean_fields(fields)
    if password is not None:
        try:
            password_validation.validate_password(password, User(email=email))
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), code="weak_password", field="password") from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, **fields)
            emit("user.created", target=user_target(user), after=snapshot(user, USER_FIELDS))
    except IntegrityError:
        raise ServiceError(f"An account with {email} already exists.", code="unique", field="email") from None
    return user


def update_user(user: User, **changes: Any) -> User:
    """Change a user's fields; emits ``user.updated`` (``user.deactivated`` when ``is_active`` turns off)."""
    before = snapshot(user, USER_FIELDS)
    for name, value in _clean_fields(changes).items():
        if name not in USER_FIELDS:
            raise ServiceError(f"Unknown user field {name!r}.", field=name)
        setattr(user, name, value)
    with transaction.atomic():
        user.save()
        event = "user.deactivated" if before["is_active"] and not user.is_active else "user.updated"
        emit(event, target=user_target(user), before=before, after=snapshot(user, USER_FIELDS))
    return user


def set_password(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), code="weak_password", field="password") from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        emit("user.password_changed", target=user_target(user))
