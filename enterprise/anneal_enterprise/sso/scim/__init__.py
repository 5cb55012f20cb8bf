"""SCIM 2.0 provisioning (RFC 7643 / RFC 7644): Users and Groups, with a per-organization bearer token.

The resource models, the filter grammar and evaluation, sorting, ``attributes`` / ``excludedAttributes``
and PATCH semantics come from ``scim2-models``; this package stores the resources, applies the account
ownership rules (``ownership``) and maps SCIM changes onto the core's services.
"""
