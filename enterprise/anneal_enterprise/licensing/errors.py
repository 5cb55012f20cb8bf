"""Why a license key was refused. Each refusal has a stable ``code`` and a message to read."""

from __future__ import annotations


class LicenseRefused(Exception):
    """A key that cannot be installed; the license already in force stays in force.

    ``code`` is one of ``malformed``, ``unsupported_algorithm``, ``unknown_key``, ``tampered``,
    ``other_product``, ``untrusted_issuer``, ``feature_out_of_scope``, ``not_yet_valid``, ``past_grace``,
    ``set_by_environment``, ``trial_grant``, and for trials ``trial_unavailable``, ``trial_used``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
