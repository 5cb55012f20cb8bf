"""Periodic refresh of SAML IdP metadata, so that a certificate rotation at the IdP just works."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anneal_enterprise.sso.tasks.refresh_saml_metadata")
def refresh_saml_metadata() -> int:
    """Fetch the metadata of every SAML provider configured by URL; returns how many changed."""
    from anneal_enterprise.sso.saml import refresh_all

    return refresh_all()
