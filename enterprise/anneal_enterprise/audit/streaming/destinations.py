"""Creating and removing streaming destinations, with their secrets encrypted at rest."""

from __future__ import annotations

import secrets as random
from typing import Any, Callable, Mapping, TypeVar

from django.db import transaction

from anneal_enterprise.audit import secrets
from anneal_enterprise.audit.models import AuditDestination, AuditSealState
from core import outbound
from core.events import emit, registry
from core.events.types import Target

class DestinationInvalid(ValueError):
    """A destination that cannot be added; ``field`` names the form field at fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


T = TypeVar("T")


def _checked(check: Callable[[], T], what: str, field: str) -> T:
    """Run a ``core.outbound`` check; its refusal becomes a message for the organization admin."""
    try:
        return check()
    except outbound.OutboundRefused as exc:
        raise DestinationInvalid(f"The {what} was {exc}. {exc.hint}", field) from None
    except outbound.OutboundError as exc:
        raise DestinationInvalid(str(exc), field) from None


def _event_types(value: Any) -> list[str]:
    names = value if isinstance(value, list) else [n.strip() for n in str(value or "").split(",")]
    names = [n for n in names if n]
    unknown = sorted(set(names) - set(registry.event_types()))
    if unknown:
        raise DestinationInvalid(f"Unknown event types: {', '.join(unknown)}. Leave empty to stream every type.",
                                 "event_types")
    return names


def _target(destination: AuditDestination) -> Target:
    return Target("audit_destination", str(destination.pk), destination.name)


def create(organization: Any, data: Mapping[str, Any]) -> tuple[AuditDestination, str]:
    """Add a destination; returns it and its webhook signing secret (shown to the person once).

    Streaming starts at the current end of the sealed log: a new destination receives the
    events recorded from now on, not the organization's whole history.
    """
    name = str(data.get("name") or "").strip()
    kind = str(data.get("kind") or "")
    if not name:
        raise DestinationInvalid("Give the destination a name.", "name")
    destination = AuditDestination(organization_id=organization.pk, name=name[:200], kind=kind,
                                   event_types=_event_types(data.get("event_types")))
    secret = ""
    if kind == "webhook":
        destination.url = _checked(lambda: outbound.validate_url(str(data.get("url") or ""), require_https=True,
                                                                 purpose="audit.webhook"), "webhook URL", "url")
        secret = random.token_urlsafe(32)
        destination.encrypted_secret = secrets.encrypt(secret)
        destination.verification_token = random.token_urlsafe(24)
    elif kind == "syslog":
        destination.host, destination.port = _checked(
            lambda: outbound.validate_host(str(data.get("host") or ""), str(data.get("port") or ""),
                                           purpose="audit.syslog"), "syslog host", "host")
        destination.tls = str(data.get("tls") or "").lower() in {"on", "true", "1", "yes"}
        if data.get("tls_ca_file"):
            raise DestinationInvalid("A CA is given as PEM text (tls_ca_pem), never as a file path on the server.",
                                     "tls_ca_pem")
        ca_pem = _checked(lambda: outbound.validate_ca_pem(str(data.get("tls_ca_pem") or "")), "CA certificate",
                         "tls_ca_pem")
        if ca_pem and not destination.tls:
            raise DestinationInvalid("A CA certificate is only used with TLS: tick TLS or leave the CA empty.", "tls")
        destination.tls_ca_encrypted = secrets.encrypt(ca_pem) if ca_pem else ""
    else:
        raise DestinationInvalid("Choose a destination kind: webhook or syslog.", "kind")
    state = AuditSealState.objects.filter(id=1).first()
    destination.cursor = state.sealed_through if state else 0
    with transaction.atomic():
        destination.save()
        emit("audit.destination.created", organization=organization, target=_target(destination),
             after={"name": destination.name, "kind": kind, "url": destination.url, "host": destination.host,
                    "port": destination.port, "tls": destination.tls, "event_types": destination.event_types})
    return destination, secret


def delete(destination: AuditDestination) -> None:
    with transaction.atomic():
        emit("audit.destination.deleted", organization=destination.organization_id, target=_target(destination),
             before={"name": destination.name, "kind": destination.kind})
        destination.delete()


def secret_of(destination: AuditDestination) -> str:
    return secrets.decrypt(destination.encrypted_secret) if destination.encrypted_secret else ""


def ca_pem_of(destination: AuditDestination) -> str:
    return secrets.decrypt(destination.tls_ca_encrypted) if destination.tls_ca_encrypted else ""
