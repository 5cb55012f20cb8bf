"""Nothing secret reaches a support bundle: secrets planted everywhere must not appear in it."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest

from anneal_enterprise.support.redaction import REDACTED, redact, redact_text
from core.plugins import DiagnosticCollector

PEM = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7planted\n"
       "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpwem9uZQplantedpemline2\n-----END PRIVATE KEY-----")
PLANTED = {
    "settings": "planted-settings-secret-key-1",
    "mail": "planted-mail-password-2",
    "plugin_setting": "planted-plugin-setting-3",
    "env": "planted-env-client-secret-4",
    "db_url": "planted-db-url-password-5",
    "redis_url": "planted-redis-password-6",
    "bearer": "planted-bearer-token-7abc",
    "log_password": "planted-log-password-8",
    "plugin_key": "planted-plugin-api-key-9",
    "plugin_url": "planted-plugin-url-password-10",
    "plugin_nested": "planted-plugin-nested-11",
    "pem_line": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7planted",
    "pem_line2": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpwem9uZQplantedpemline2",
}


@pytest.fixture
def planted(settings, monkeypatch, collector_plugin) -> None:  # type: ignore[no-untyped-def]
    settings.SECRET_KEY = PLANTED["settings"]
    settings.EMAIL_HOST_PASSWORD = PLANTED["mail"]
    settings.WEBHOOKS_SIGNING_SECRET = PLANTED["plugin_setting"]
    monkeypatch.setenv("ANNEAL_OIDC_CLIENT_SECRET", PLANTED["env"])
    monkeypatch.setenv("DATABASE_URL", f"postgres://anneal:{PLANTED['db_url']}@db.internal:5432/anneal")
    monkeypatch.setenv("REDIS_URL", f"redis://:{PLANTED['redis_url']}@cache.internal:6379/0")
    log = logging.getLogger("anneal.test.planted")
    log.warning("GET /api/v1/me Authorization: Bearer %s", PLANTED["bearer"])
    log.warning("connecting with user=app password=%s to the mail server", PLANTED["log_password"])
    log.error("could not load certificate:\n%s", PEM)
    collector_plugin(DiagnosticCollector("webhooks_config", "A plugin's configuration.", lambda: {
        "endpoint": f"https://bot:{PLANTED['plugin_url']}@hooks.example.com/in",
        "api_key": PLANTED["plugin_key"],
        "retries": 3,
        "nested": {"client_secret": PLANTED["plugin_nested"], "certificate": PEM},
        "notes": f"signing with token={PLANTED['plugin_key']}",
    }))


def _archive_text(bundle) -> str:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(io.BytesIO(bytes(bundle.archive))) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist())


def test_no_planted_secret_appears_anywhere_in_a_bundle_of_every_collector(planted, build, support_licensed):
    from anneal_enterprise.support.collectors import registry

    bundle = build(list(registry()))
    assert bundle.status == "ready", bundle.error
    text = _archive_text(bundle) + "\n".join(bundle.files.values()) + "\n".join(bundle.warnings)
    leaked = [name for name, secret in PLANTED.items() if secret in text]
    assert leaked == []
    assert "-----BEGIN PRIVATE KEY-----" not in text
    assert REDACTED in text


def test_a_bundle_still_shows_what_support_needs(planted, build, support_licensed):
    bundle = build(["configuration", "environment", "recent_logs", "webhooks_config"])
    files = bundle.files
    assert '"TIME_ZONE": "UTC"' in files["configuration.json"]
    assert f'"SECRET_KEY": "{REDACTED}"' in files["configuration.json"]
    assert "postgres://anneal:[redacted]@db.internal:5432/anneal" in files["environment.json"]
    assert f'"ANNEAL_OIDC_CLIENT_SECRET": "{REDACTED}"' in files["environment.json"]
    assert "Bearer [redacted]" in files["recent_logs.txt"]
    assert "hooks.example.com" in files["webhooks_config.json"] and '"retries": 3' in files["webhooks_config.json"]


@pytest.mark.parametrize("text", [
    "-----BEGIN RSA PRIVATE KEY-----\nAAAAsecretline\nBBBBsecretline\n-----END RSA PRIVATE KEY-----",
    "cut off: -----BEGIN OPENSSH PRIVATE KEY-----\nAAAAsecretline\nBBBBsecretline",
    "curl -H 'Authorization: Bearer AAAAsecretline'",
    "amqp://guest:AAAAsecretline@rabbit:5672//",
    "SENTRY_DSN=https://AAAAsecretline@o1.ingest.sentry.io/1",
    "client_secret: AAAAsecretline",
    '{"api_key": "AAAAsecretline"}',
])
def test_the_denylist_removes_secret_shapes_from_free_text(text):
    assert "AAAAsecretline" not in redact_text(text)


def test_keys_with_secret_names_are_redacted_but_counts_are_kept():
    data = {"password": "x1", "db": {"DSN": "y2", "private_key": ["z3"]}, "api_tokens": 4, "name": "kept"}
    assert redact(data) == {"password": REDACTED, "db": {"DSN": REDACTED, "private_key": REDACTED},
                            "api_tokens": 4, "name": "kept"}


def test_hostile_input_does_not_break_redaction():
    # Large inputs shaped to make a careless pattern backtrack: a regression makes this test hang.
    nasty = ("-----BEGIN " * 1000 + "a:b@" * 1000 + "\x00\udcff" + "Bearer " * 500 + "x" * 100_000
             + "x." * 50_000 + "http://" * 20_000 + "password=" * 20_000)
    assert isinstance(redact_text(nasty), str)
    assert redact({1: b"password=abcdefg", "k": {"s"}}) == {"1": "password=[redacted]", "k": ["s"]}
