"""The enterprise package's bundle collector: a summary of the license, never the key itself."""

from __future__ import annotations

from typing import Any

from anneal_enterprise import entitlements

FEATURES = (entitlements.SSO, entitlements.AUDIT_LOG, entitlements.SUPPORT)
NEVER = ("key", "signature", "raw", "token", "text", "document", "pem")


def license_summary() -> dict[str, Any]:
    """Feature states plus whatever summary the licensing module offers, minus anything key-like."""
    summary: dict[str, Any] = {"features": {name: entitlements.state(name) for name in FEATURES}}
    try:
        from anneal_enterprise.licensing import status
    except Exception as exc:  # licensing is optional for this collector
        summary["licensing"] = f"unavailable ({type(exc).__name__})"
        return summary
    for name in ("summary", "current_summary", "license_summary"):
        provider = getattr(status, name, None)
        if callable(provider):
            try:
                details = provider()
            except Exception as exc:
                summary["licensing"] = f"summary failed ({type(exc).__name__}: {exc})"
                break
            if hasattr(details, "__dict__") and not isinstance(details, dict):
                details = {k: v for k, v in vars(details).items() if not k.startswith("_")}
            if isinstance(details, dict):
                summary["license"] = {k: v for k, v in details.items()
                                      if not any(word in str(k).lower() for word in NEVER)}
            break
    return summary
