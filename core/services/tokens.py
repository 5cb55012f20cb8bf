from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.events import Target, emit
from core.models import ApiToken, User
from core.models.tokens import hash_token, new_token_value
from core.services.errors import ServiceError
from core.services.names import clean_name

NAME_MAX = 100


def token_target(token: ApiToken) -> Target:
    return Target("token", str(token.pk), f"{token.name} ({token.prefix}…)")


def create_token(user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; the returned value is the only time it is ever visible."""
    name = clean_name(name, what="token's name", max_length=NAME_MAX)
    if not name:
        raise ServiceError("Give the token a name so you can recognise it later.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError("The expiry date must be in the future.", field="expires_at")
    value = new_token_value()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=value[:10], token_hash=hash_token(value), expires_at=expires_at
        )
        emit("token.created", target=token_target(token),
             after={"name": token.name, "expires_at": expires_at.isoformat() if expires_at else None})
    return token, value


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        emit("token.revoked", target=token_target(token))


def authenticate_token(value: str) -> ApiToken | None:
    """The usable token with this value and its user (one query), or ``None``.

    Read from the database on every request, never from a cache: a token revoked or expired in
    any process is refused by every process from the next request on.
    """
    try:
        token = ApiToken.objects.select_related("user").get(token_hash=hash_token(value))
    except ApiToken.DoesNotExist:
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
