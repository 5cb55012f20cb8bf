"""Multi-factor authentication: second factors, the sign-in's second step, step-up, enforcement.

The factor types (authenticator app, passkeys, recovery codes, and any a plugin adds) are
registered through ``anneal_second_factor_types`` and who must use one is decided through
``anneal_mfa_requirements``; see ``docs/authentication.md``.
"""
