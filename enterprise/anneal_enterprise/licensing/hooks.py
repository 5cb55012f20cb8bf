"""License-backed entitlements (filled in by the licensing work)."""
