"""Audit streaming destinations go through the outbound policy (SSRF), tested with loopback listeners.

The attacker is an organization admin who points a destination at the server's own network.
"""

from __future__ import annotations

import pytest

from anneal_enterprise.audit import sealing
from anneal_enterprise.audit.models import AuditDestination
from anneal_enterprise.audit.streaming import delivery, destinations
from core.services import projects
from core.testing.listeners import closed_port, http_listener, stop, url_of

from .receivers import SyslogListener, self_signed_certificate

pytestmark = pytest.mark.django_db
REFUSED = "refused by the outbound policy"


@pytest.fixture
def internal():
    server = http_listener("127.0.0.1")
    yield server
    stop(server)


def refusal(organization, data) -> str:
    with pytest.raises(destinations.DestinationInvalid) as refused:
        destinations.create(organization, {"name": "SIEM", **data})
    return str(refused.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/audit", "https://127.0.0.1:{port}/audit",
                                 "https://169.254.169.254/latest/meta-data/", "https://[::ffff:127.0.0.1]:{port}/",
                                 "https://[::ffff:169.254.169.254]/", "https://10.0.0.5/", "https://[::1]:{port}/",
                                 "https://0.0.0.0:{port}/"])
def test_a_webhook_to_loopback_metadata_or_private_addresses_is_refused(organization, internal, url):
    message = refusal(organization, {"kind": "webhook", "url": url.format(port=internal.server_address[1])})
    assert REFUSED in message and "instance administrator" in message
    assert internal.connections == 0


def test_the_refusal_reads_the_same_for_an_open_and_a_closed_port(organization, internal):
    open_port = refusal(organization, {"kind": "webhook", "url": url_of(internal, "/audit")})
    closed = refusal(organization, {"kind": "webhook", "url": f"http://127.0.0.1:{closed_port()}/audit"})
    assert open_port == closed
    syslog_open = refusal(organization, {"kind": "syslog", "host": "127.0.0.1", "port": internal.server_address[1]})
    syslog_closed = refusal(organization, {"kind": "syslog", "host": "127.0.0.1", "port": closed_port()})
    assert syslog_open == syslog_closed and REFUSED in syslog_open


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "169.254.169.254", "192.168.1.10"])
def test_a_syslog_destination_on_loopback_metadata_or_private_addresses_is_refused(organization, host):
    assert REFUSED in refusal(organization, {"kind": "syslog", "host": host, "port": "514"})


def test_a_ca_is_never_a_path_on_the_server(organization):
    as_file = refusal(organization, {"kind": "syslog", "host": "siem.example.com", "port": "6514", "tls": "on",
                                     "tls_ca_file": "/etc/passwd"})
    assert "never as a file path" in as_file
    existing = refusal(organization, {"kind": "syslog", "host": "siem.example.com", "port": "6514", "tls": "on",
                                      "tls_ca_pem": "/etc/passwd"})
    missing = refusal(organization, {"kind": "syslog", "host": "siem.example.com", "port": "6514", "tls": "on",
                                     "tls_ca_pem": "/nonexistent/ca.pem"})
    assert existing == missing and "PEM" in existing


def test_the_ca_is_stored_encrypted_with_the_destination(organization, tmp_path):
    cert, _ = self_signed_certificate(tmp_path)
    pem = open(cert).read()
    destination, _ = destinations.create(organization, {"name": "TLS", "kind": "syslog", "host": "siem.example.com",
                                                        "port": "6514", "tls": "on", "tls_ca_pem": pem})
    stored = AuditDestination.objects.get(pk=destination.pk)
    assert "BEGIN CERTIFICATE" not in stored.tls_ca_encrypted
    assert destinations.ca_pem_of(stored).strip() == pem.strip()


def add_events(organization, count: int) -> None:
    for number in range(count):
        projects.create_project(organization, f"P{number}")
    sealing.seal()


def test_a_webhook_host_name_resolving_to_loopback_is_refused_when_sending(organization, internal,
                                                                           outbound_resolver):
    outbound_resolver({"siem.example.com": ["127.0.0.1"]})
    sealing.seal()
    destination, _ = destinations.create(organization, {"name": "SIEM", "kind": "webhook",
                                                        "url": f"https://siem.example.com:{internal.server_address[1]}/"})
    add_events(organization, 1)
    result = delivery.deliver(destination.pk)
    assert result["state"] == "failing" and result["error"].endswith(f"{REFUSED}.")
    assert internal.connections == 0


def test_a_syslog_host_name_resolving_to_loopback_is_refused_when_sending(organization, internal,
                                                                          outbound_resolver):
    outbound_resolver({"syslog.example.com": ["127.0.0.1"]})
    sealing.seal()
    destination, _ = destinations.create(organization, {"name": "Syslog", "kind": "syslog",
                                                        "host": "syslog.example.com",
                                                        "port": str(internal.server_address[1])})
    add_events(organization, 1)
    result = delivery.deliver(destination.pk)
    assert result["state"] == "failing" and REFUSED in result["error"]
    assert internal.connections == 0


def test_an_allowlisted_private_syslog_receiver_by_name_is_reached(organization, outbound_allow, outbound_resolver):
    listener = SyslogListener().start()
    try:
        outbound_allow("127.0.0.0/8")
        outbound_resolver({"syslog.corp.example": ["127.0.0.1"]})
        sealing.seal()
        destination, _ = destinations.create(organization, {"name": "Syslog", "kind": "syslog",
                                                            "host": "syslog.corp.example",
                                                            "port": str(listener.port)})
        add_events(organization, 2)
        assert delivery.deliver(destination.pk)["state"] == "caught up"
        from conftest import wait_for

        wait_for(lambda: len(listener.events) >= 2, timeout=5)
    finally:
        listener.stop()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_a_ca_file_holding_certificates_and_pauses_any_other_path(tmp_path):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from core import secrets

    cert, _ = self_signed_certificate(tmp_path)
    before = [("anneal_audit", "0002_append_only")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("anneal_audit", "AuditDestination")
    kept = old.objects.create(organization_id=1, name="kept", kind="syslog", host="siem.example.com", port=6514,
                              tls=True, tls_ca_file=cert)
    probed = old.objects.create(organization_id=1, name="probe", kind="syslog", host="siem.example.com", port=6514,
                                tls=True, tls_ca_file="/etc/passwd")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state for the tests that follow

    carried = AuditDestination.objects.get(pk=kept.pk)
    assert carried.enabled and secrets.decrypt(carried.tls_ca_encrypted, purpose="anneal_enterprise.audit") == open(cert).read()
    paused = AuditDestination.objects.get(pk=probed.pk)
    assert not paused.enabled and paused.tls_ca_encrypted == "" and "PEM" in paused.last_error


def test_the_egress_ledger_lists_audit_destinations(organization, make_user, web_client_for):
    from django.urls import reverse

    destinations.create(organization, {"name": "Splunk", "kind": "webhook", "url": "https://siem.example.com/hec"})
    destinations.create(organization, {"name": "Relay", "kind": "syslog", "host": "syslog.example.com", "port": "6514"})
    page = web_client_for(make_user(is_staff=True)).get(reverse("web:egress_ledger")).content.decode()
    assert "Splunk (HTTPS webhook)" in page and 'data-address="https://siem.example.com/hec"' in page
    assert 'data-address="syslog.example.com:6514"' in page and organization.name in page
