"""Which licensed features hold configuration or data on this instance.

A feature that holds something becomes read-only when its license lapses (its data stays
readable and exportable); one that holds nothing simply turns off. Usage snapshots report the
features in use. Plugin features are not probed: they are treated as holding data, the safe
reading for a preview.
"""

from __future__ import annotations

from django.apps import apps

#: For each enterprise feature, the models whose rows mean it is in use.
PROBES: dict[str, tuple[tuple[str, str], ...]] = {
    "sso": (("anneal_sso", "IdentityProvider"), ("anneal_sso", "SsoSettings"), ("anneal_sso", "ScimToken")),
    "audit_log": (("anneal_audit", "AuditRecord"), ("anneal_audit", "AuditDestination")),
    "support": (("anneal_support", "SupportBundle"), ("anneal_support", "SupportGrant")),
}


def in_use(feature: str) -> bool | None:
    """``True`` when ``feature`` holds rows, ``False`` when it holds none, ``None`` when unknown."""
    probes = PROBES.get(feature)
    if probes is None:
        return None
    for app_label, model_name in probes:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if model.objects.exists():
            return True
    return False


def features_in_use() -> list[str]:
    return sorted(feature for feature in PROBES if in_use(feature))
