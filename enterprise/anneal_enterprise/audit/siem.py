"""SIEM mappings generated from the event registry: CEF and OCSF classes per event type.

Nothing here is written by hand per event type: a new type registered by any plugin gets
its mapping from its category and severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.events import registry
from core.plugins.types import EventType

CEF_SEVERITY = {"info": 3, "notice": 5, "warning": 7, "critical": 10}
OCSF_CLASSES = {
    3001: "Account Change",
    3002: "Authentication",
    3005: "User Access Management",
    6003: "API Activity",
}
OCSF_CLASS_BY_CATEGORY = {"authentication": 3002, "user": 3001, "token": 3001, "membership": 3005,
                          "invitation": 3005, "sso": 3002}
OCSF_SEVERITY = {"info": 1, "notice": 2, "warning": 3, "critical": 5}


@dataclass(frozen=True)
class Mapping:
    event_type: str
    cef_signature: str
    cef_severity: int
    ocsf_class_uid: int
    ocsf_class_name: str
    ocsf_severity_id: int


def mapping_for(event_type: EventType) -> Mapping:
    class_uid = OCSF_CLASS_BY_CATEGORY.get(event_type.category, 6003)
    return Mapping(event_type.name, event_type.name, CEF_SEVERITY[event_type.severity], class_uid,
                   OCSF_CLASSES[class_uid], OCSF_SEVERITY[event_type.severity])


def mappings() -> list[Mapping]:
    return [mapping_for(t) for _, t in sorted(registry.event_types().items())]


def _cef_header(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|")


def _cef_extension(value: Any) -> str:
    return (str(value if value is not None else "").replace("\\", "\\\\").replace("=", "\\=")
            .replace("\r", "\\r").replace("\n", "\\n"))


def cef(event: dict[str, Any], version: str = "1") -> str:
    """One CEF line for an event in :func:`presentation.record_json` form."""
    event_type = registry.event_types().get(event["action"])
    mapping = mapping_for(event_type) if event_type else Mapping(event["action"], event["action"], 3, 6003, "", 1)
    name = event_type.description if event_type else event["action"]
    actor, target = event["actor"], event["target"] or {}
    extension = {"rt": event["occurred_at"], "externalId": event["event_id"], "cs1Label": "organization",
                 "cs1": event["organization_id"], "suser": actor["display"], "suid": actor["id"],
                 "src": event["ip"], "requestClientApplication": event["user_agent"],
                 "cs2Label": "target", "cs2": f"{target.get('type', '')}:{target.get('id') or ''}" if target else ""}
    ext = " ".join(f"{k}={_cef_extension(v)}" for k, v in extension.items() if v not in (None, ""))
    return "|".join(["CEF:0", "Anneal", "Anneal", _cef_header(version), _cef_header(mapping.cef_signature),
                     _cef_header(name), str(mapping.cef_severity), ext])


def ocsf(event: dict[str, Any]) -> dict[str, Any]:
    """The event as an OCSF object of the class its category maps to."""
    event_type = registry.event_types().get(event["action"])
    mapping = mapping_for(event_type) if event_type else Mapping(event["action"], event["action"], 3, 6003,
                                                                 "API Activity", 1)
    return {
        "class_uid": mapping.ocsf_class_uid, "class_name": mapping.ocsf_class_name,
        "category_uid": mapping.ocsf_class_uid // 1000, "severity_id": mapping.ocsf_severity_id,
        "time": event["occurred_at"], "metadata": {"uid": event["event_id"], "product": {"name": "Anneal"},
                                                    "event_code": event["action"]},
        "actor": {"user": {"uid": event["actor"]["id"], "name": event["actor"]["display"],
                           "type": event["actor"]["kind"]}},
        "src_endpoint": {"ip": event["ip"]}, "http_request": {"user_agent": event["user_agent"]},
        "unmapped": {"target": event["target"], "diff": event["diff"], "data": event["data"]},
    }
