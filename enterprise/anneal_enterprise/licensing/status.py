"""The current license's status (filled in by the licensing work)."""


def was_licensed(feature: str) -> bool:
    """True when an installed license granted ``feature`` but no longer does (it lapsed)."""
    return False
