"""Behind a firewall Anneal makes no outbound connection an admin did not configure."""

import ipaddress
import re
import socket

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def is_local(host) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def outbound_attempts(monkeypatch):
    """Refuse every non-loopback connection or name lookup, and record each attempt."""
    attempts = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guard(address):
        if isinstance(address, tuple) and not is_local(address[0]):
            attempts.append(address)
            raise ConnectionRefusedError(f"outbound connection to {address} refused by the test")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, bytes):
            host = host.decode()
        if not is_local(host):
            attempts.append(("lookup", host))
            raise socket.gaierror(f"name lookup of {host} refused by the test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


# What a browser fetches by itself: any src, and the href of <link> (stylesheets, icons). A plain
# <a href> to the product's documentation is a link the person may follow, not a load.
EXTERNAL_URL = re.compile(
    r"""(?:\bsrc=|<link\b[^>]*\bhref=)["'](?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)""")


def test_the_main_flows_make_no_outbound_connection(client, make_user, outbound_attempts, mailoutbox):
    staff = make_user("root@example.com", "long password 1234", is_staff=True, is_superuser=True)
    client.post("/sign-in/", {"email": "root@example.com", "password": "long password 1234"})
    client.post("/", {"name": "Acme"})
    client.post("/o/acme/", {"name": "Site", "description": "d"})
    client.post("/o/acme/members/", {"action": "invite", "email": "bob@example.com", "role": "member"})
    client.post("/tokens/", {"name": "ci"})
    pages = ["/", "/o/acme/", "/o/acme/p/site/", "/o/acme/members/", "/o/acme/settings/", "/tokens/",
             "/system/", "/api/docs/", "/admin/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not EXTERNAL_URL.search(html), f"{url} loads something from another host"
    assert not EXTERNAL_URL.search(Client().get("/sign-in/").content.decode())
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert staff.memberships.count() == 1
    assert outbound_attempts == []


def test_the_guard_really_refuses_outbound_connections(outbound_attempts):
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    assert outbound_attempts


@pytest.mark.parametrize(("html", "loads"), [
    ('<link rel="stylesheet" href="https://cdn.example/x.css">', True),
    ("<script src='//cdn.example/x.js'></script>", True),
    ('<img alt="" src="http://tracker.example/p.gif">', True),
    ('<link rel="icon" href="/static/favicon.svg">', False),
    ('<a href="https://docs.example/" rel="noopener">Documentation</a>', False),
])
def test_the_external_load_check_tells_a_fetch_from_a_link(html, loads):
    assert bool(EXTERNAL_URL.search(html)) is loads
