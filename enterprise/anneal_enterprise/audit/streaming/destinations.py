"""Creating and removing streaming destinations, with their secrets encrypted at rest."""

from __future__ import annotations

import secrets as random
from typing import Any, Mapping
from urllib.parse import urlsplit

from django.db import transaction

from anneal_enterprise.audit import secrets
from anneal_enterprise.audit.models import AuditDestination, AuditSealState
from core.events import emit, registry
from core.events.types import Target

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class DestinationInvalid(ValueError):
    pass


def _event_types(value: Any) -> list[str]:
    names = value if isinstance(value, list) else [n.strip() for n in str(value or "").split(",")]
    names = [n for n in names if n]
    unknown = sorted(set(names) - set(registry.event_types()))
    if unknown:
        raise DestinationInvalid(f"Unknown event types: {', '.join(unknown)}. Leave empty to stream every type.")
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
        raise DestinationInvalid("Give the destination a name.")
    destination = AuditDestination(organization_id=organization.pk, name=name[:200], kind=kind,
                                   event_types=_event_types(data.get("event_types")))
    secret = ""
    if kind == "webhook":
        url = str(data.get("url") or "").strip()
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise DestinationInvalid("A webhook URL must start with https:// (plain http is allowed only to this "
                                     "machine, for testing).")
        if not parts.hostname:
            raise DestinationInvalid("The webhook URL has no host name.")
        destination.url = url
        secret = random.token_urlsafe(32)
        destination.encrypted_secret = secrets.encrypt(secret)
        destination.verification_token = random.token_urlsafe(24)
    elif kind == "syslog":
        host = str(data.get("host") or "").strip()
        port = str(data.get("port") or "").strip()
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise DestinationInvalid("A syslog destination needs a host and a TCP port from 1 to 65535.")
        destination.host, destination.port = host, int(port)
        destination.tls = str(data.get("tls") or "").lower() in {"on", "true", "1", "yes"}
        destination.tls_ca_file = str(data.get("tls_ca_file") or "")
    else:
        raise DestinationInvalid("Choose a destination kind: webhook or syslog.")
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
