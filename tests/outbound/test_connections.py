"""The policy applied to real connections: listeners on loopback count what reaches them."""

from __future__ import annotations

import pytest

from core import outbound

from core.testing.listeners import certificate, closed_port, http_listener, server_tls, stop


@pytest.fixture
def listener():
    server = http_listener()
    yield server
    stop(server)


def test_loopback_is_refused_without_an_allowlist_entry_and_nothing_connects(listener):
    with pytest.raises(outbound.OutboundRefused):
        outbound.get(f"http://127.0.0.1:{listener.server_address[1]}/", purpose="test")
    assert listener.connections == 0


def test_the_refusal_reads_the_same_for_an_open_and_a_closed_port(listener):
    messages = []
    for port in (listener.server_address[1], closed_port()):
        with pytest.raises(outbound.OutboundError) as refused:
            outbound.get(f"http://127.0.0.1:{port}/", purpose="test")
        messages.append((type(refused.value), str(refused.value)))
    assert messages[0] == messages[1] == (outbound.OutboundRefused, "refused by the outbound policy")


@pytest.mark.django_db
def test_an_allowlisted_address_is_reached_and_its_contact_is_recorded(listener, outbound_allow):
    outbound_allow("127.0.0.1")
    response = outbound.get(f"http://127.0.0.1:{listener.server_address[1]}/hello", purpose="test")
    assert (response.status, response.text) == (200, "hello")
    assert listener.connections == 1
    assert f"127.0.0.1:{listener.server_address[1]}" in outbound.last_contacts()


def test_an_allowlisted_but_closed_port_could_not_connect(outbound_allow):
    outbound_allow("127.0.0.1")
    with pytest.raises(outbound.OutboundUnreachable) as failed:
        outbound.get(f"http://127.0.0.1:{closed_port()}/", purpose="test")
    assert str(failed.value) == "could not connect"
    assert "Connection" in failed.value.detail  # the detail is for the logs only


def test_a_name_resolving_to_loopback_is_refused(listener, outbound_resolver):
    outbound_resolver({"idp.attacker.example": ["127.0.0.1"]})
    with pytest.raises(outbound.OutboundRefused):
        outbound.get(f"http://idp.attacker.example:{listener.server_address[1]}/", purpose="test")
    assert listener.connections == 0


def test_a_name_with_one_refused_address_among_its_answers_is_refused(listener, outbound_allow, outbound_resolver):
    outbound_allow("127.0.0.2")
    outbound_resolver({"mixed.example": ["127.0.0.2", "127.0.0.1"]})
    with pytest.raises(outbound.OutboundRefused):
        outbound.connect("mixed.example", listener.server_address[1], purpose="test")
    assert listener.connections == 0


@pytest.fixture
def two_listeners():
    """The same port on 127.0.0.2 (the allowed destination) and on 127.0.0.1 (an internal service)."""
    for _ in range(20):
        allowed = http_listener("127.0.0.2", body=b"allowed")
        try:
            internal = http_listener("127.0.0.1", allowed.server_address[1], body=b"internal")
        except OSError:
            stop(allowed)
            continue
        yield allowed, internal
        stop(allowed)
        stop(internal)
        return
    pytest.fail("no port free on both loopback addresses")


def rebinding_resolver(first: str, then: str):
    """A DNS server that answers ``first`` to the first lookup and ``then`` to every later one."""
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return [first] if len(calls) == 1 else [then]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.django_db
def test_dns_rebinding_between_check_and_connect_cannot_reach_loopback(two_listeners, outbound_allow,
                                                                       outbound_resolver):
    allowed, internal = two_listeners
    outbound_allow("127.0.0.2")
    resolver = rebinding_resolver("127.0.0.2", "127.0.0.1")
    outbound_resolver(resolver)
    response = outbound.get(f"http://rebind.example:{allowed.server_address[1]}/", purpose="test")
    assert response.text == "allowed"
    assert internal.connections == 0
    assert resolver.calls == ["rebind.example"]
    assert allowed.requests[0]["headers"]["Host"] == f"rebind.example:{allowed.server_address[1]}"


@pytest.mark.django_db
def test_a_redirect_to_loopback_is_refused_at_that_hop(listener, outbound_allow):
    first = http_listener("127.0.0.2", status=302,
                          headers={"Location": f"http://127.0.0.1:{listener.server_address[1]}/secret"})
    try:
        outbound_allow("127.0.0.2")
        with pytest.raises(outbound.OutboundRefused):
            outbound.get(f"http://127.0.0.2:{first.server_address[1]}/", purpose="test", max_redirects=3)
        assert listener.connections == 0
        not_followed = outbound.get(f"http://127.0.0.2:{first.server_address[1]}/", purpose="test")
        assert not_followed.status == 302 and listener.connections == 0
    finally:
        stop(first)


@pytest.mark.django_db
def test_an_allowed_redirect_is_followed_when_the_caller_allows_redirects(listener, outbound_allow):
    first = http_listener("127.0.0.1", status=301,
                          headers={"Location": f"http://127.0.0.1:{listener.server_address[1]}/moved"})
    try:
        outbound_allow("127.0.0.1")
        response = outbound.get(f"http://127.0.0.1:{first.server_address[1]}/", purpose="test", max_redirects=1)
        assert (response.status, response.text, listener.requests[0]["path"]) == (200, "hello", "/moved")
    finally:
        stop(first)


@pytest.fixture
def tls_listener(tmp_path):
    cert, key, pem = certificate(tmp_path, "siem.corp.test")
    server = http_listener(tls=server_tls(cert, key), body=b"secure")
    yield server, pem
    stop(server)


@pytest.mark.django_db
def test_https_to_a_pinned_address_verifies_the_certificate_for_the_host_name(tls_listener, outbound_allow,
                                                                              outbound_resolver, tmp_path):
    server, pem = tls_listener
    outbound_allow("127.0.0.1")
    outbound_resolver({"siem.corp.test": ["127.0.0.1"], "other.corp.test": ["127.0.0.1"]})
    port = server.server_address[1]
    assert outbound.get(f"https://siem.corp.test:{port}/", purpose="test", ca_pem=pem).text == "secure"
    with pytest.raises(outbound.OutboundUnreachable):  # the certificate does not name this host
        outbound.get(f"https://other.corp.test:{port}/", purpose="test", ca_pem=pem)
    with pytest.raises(outbound.OutboundUnreachable):  # not signed by a CA the system trusts
        outbound.get(f"https://siem.corp.test:{port}/", purpose="test")
    _, _, unrelated = certificate(tmp_path, "unrelated.test")
    with pytest.raises(outbound.OutboundUnreachable):
        outbound.connect("siem.corp.test", port, tls=True, ca_pem=unrelated, purpose="test")


def test_a_ca_is_pem_text_never_a_path():
    with pytest.raises(outbound.InvalidDestination, match="PEM"):
        outbound.validate_ca_pem("/etc/ssl/certs/ca-certificates.crt")
    with pytest.raises(outbound.InvalidDestination, match="PEM"):
        outbound.validate_ca_pem("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")


def test_raw_tcp_connections_follow_the_same_policy(listener, outbound_allow):
    with pytest.raises(outbound.OutboundRefused):
        outbound.connect("127.0.0.1", listener.server_address[1], purpose="test")
    with pytest.raises(outbound.OutboundRefused):
        outbound.connect("::ffff:127.0.0.1", listener.server_address[1], purpose="test")
    assert listener.connections == 0


@pytest.mark.django_db
def test_a_redirect_from_https_to_plain_http_is_refused(tls_listener, listener, outbound_allow, outbound_resolver):
    server, pem = tls_listener
    outbound_allow("127.0.0.1")
    outbound_resolver({"siem.corp.test": ["127.0.0.1"]})
    server.routes["/"] = (302, {"Location": f"http://127.0.0.1:{listener.server_address[1]}/"}, b"")
    with pytest.raises(outbound.InvalidDestination, match="plain http"):
        outbound.get(f"https://siem.corp.test:{server.server_address[1]}/", purpose="test", ca_pem=pem,
                     max_redirects=3)
    assert listener.connections == 0


@pytest.mark.django_db
def test_credentials_are_not_sent_along_a_redirect_to_another_host(outbound_allow):
    other = http_listener("127.0.0.2")
    first = http_listener("127.0.0.1", status=307, headers={"Location": f"http://127.0.0.2:{other.server_address[1]}/"})
    try:
        outbound_allow("127.0.0.0/8")
        outbound.get(f"http://127.0.0.1:{first.server_address[1]}/", purpose="test", max_redirects=1,
                     headers={"Authorization": "Bearer secret", "X-Other": "kept"})
        assert first.requests[0]["headers"]["Authorization"] == "Bearer secret"
        assert "Authorization" not in other.requests[0]["headers"]
        assert other.requests[0]["headers"]["X-Other"] == "kept"
    finally:
        stop(other)
        stop(first)


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "localhost", "[::ffff:7f00:1]"])
def test_unusual_spellings_of_loopback_are_refused_after_resolution(listener, host):
    with pytest.raises(outbound.OutboundRefused):
        outbound.get(f"http://{host}:{listener.server_address[1]}/", purpose="test")
    assert listener.connections == 0
