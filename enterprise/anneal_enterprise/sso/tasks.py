"""Periodic jobs: SAML IdP metadata and OIDC discovery refresh, and re-checking pending email domains' DNS TXT records."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="anneal_enterprise.sso.tasks.refresh_saml_metadata")
def refresh_saml_metadata() -> int:
    """Fetch the metadata of every SAML provider configured by URL and the discovery document of
    every OIDC provider (through the outbound policy); returns how many changed."""
    from anneal_enterprise.sso import oidc_discovery, saml

    return saml.refresh_all() + oidc_discovery.refresh_all()


@shared_task(name="anneal_enterprise.sso.tasks.recheck_pending_domains")
def recheck_pending_domains() -> int:
    """Look up the DNS TXT record of every pending email domain; returns how many became verified."""
    from anneal_enterprise.sso.config import recheck_pending_domains as recheck

    return recheck()
