"""Which endpoints may subscribe and where deliveries may go: Anneal's outbound policy, tested with
real listeners on loopback (the attacker is an organization admin subscribing an internal URL)."""

import pytest

from anneal_webhooks import delivery
from anneal_webhooks.targets import TargetNotAllowed, validate_url
from core.testing.listeners import http_listener, stop


def test_a_public_https_url_is_accepted():
    assert validate_url(" https://hooks.example.com/anneal ") == "https://hooks.example.com/anneal"


@pytest.mark.parametrize("url, reason", [
    ("http://hooks.example.com/", "https://"),
    ("ftp://hooks.example.com/", "https://"),
    ("javascript:alert(1)", "https://"),
    ("https://", "https://"),
    ("not-a-url", "https://"),
    ("not a url", "control characters"),
    ("https://user:pass@hooks.example.com/", "user name and password"),
    ("https://127.0.0.1/hooks", "refused by the outbound policy"),
    ("https://[::1]/hooks", "refused by the outbound policy"),
    ("https://[::ffff:127.0.0.1]/hooks", "refused by the outbound policy"),
    ("https://10.0.0.5/hooks", "refused by the outbound policy"),
    ("https://169.254.169.254/latest/meta-data", "refused by the outbound policy"),
    ("https://192.168.1.1/", "refused by the outbound policy"),
    ("https://hooks.example.com:99999/", "not valid"),
    ("https://example.com/" + "a" * 2000, "longer"),
])
def test_urls_that_could_reach_private_networks_or_leak_credentials_are_refused(url, reason):
    with pytest.raises(TargetNotAllowed, match=reason):
        validate_url(url)


def test_the_instance_allowlist_allows_plain_http_to_that_address_only(outbound_allow):
    outbound_allow("127.0.0.1")
    assert validate_url("http://127.0.0.1:8123/hooks") == "http://127.0.0.1:8123/hooks"
    with pytest.raises(TargetNotAllowed):
        validate_url("http://hooks.example.com/")
    with pytest.raises(TargetNotAllowed):
        validate_url("https://10.0.0.5/")


@pytest.fixture
def internal():
    server = http_listener("127.0.0.1", body=b"internal")
    yield server
    stop(server)


def test_a_host_name_that_resolves_to_loopback_is_refused_at_send_time(internal, outbound_resolver):
    outbound_resolver({"localhost": ["127.0.0.1"]})
    response = delivery.post(f"https://localhost:{internal.server_address[1]}/hooks", b"{}", {})
    assert (response.code, response.error) == (None, "refused by the outbound policy")
    assert internal.connections == 0


@pytest.mark.django_db
def test_dns_rebinding_to_loopback_between_subscribing_and_sending_reaches_nothing(outbound_allow,
                                                                                  outbound_resolver):
    """The resolver answers the allowlisted address first and loopback after: the delivery is pinned."""
    for _ in range(20):
        allowed = http_listener("127.0.0.2", body=b"ok")
        try:
            internal = http_listener("127.0.0.1", allowed.server_address[1], body=b"internal")
            break
        except OSError:
            stop(allowed)
    answers = []

    def rebinding(host, port):
        answers.append(host)
        return ["127.0.0.2"] if len(answers) == 1 else ["127.0.0.1"]

    try:
        outbound_allow("127.0.0.2")
        outbound_resolver(rebinding)
        url = f"http://hooks.rebind.example:{allowed.server_address[1]}/hooks"
        response = delivery.post(url, b"{}", {"Content-Type": "application/json"})
        assert response.ok
        assert (allowed.connections, internal.connections) == (1, 0)
        assert answers == ["hooks.rebind.example"]
    finally:
        stop(allowed)
        stop(internal)


def test_a_redirect_is_not_followed(outbound_allow):
    outbound_allow("127.0.0.1")
    target = http_listener("127.0.0.1")
    redirecting = http_listener("127.0.0.1", status=307,
                                headers={"Location": f"http://127.0.0.1:{target.server_address[1]}/"})
    try:
        response = delivery.post(f"http://127.0.0.1:{redirecting.server_address[1]}/", b"{}", {})
        assert (response.code, response.ok, target.connections) == (307, False, 0)
    finally:
        stop(target)
        stop(redirecting)


@pytest.mark.django_db
def test_the_egress_ledger_lists_webhook_endpoints(make_organization, make_user, web_client_for):
    from django.urls import reverse

    from anneal_webhooks import services

    organization = make_organization(name="Hooked Org")
    services.create_endpoint(organization, "https://hooks.example.com/anneal", ["*"])
    page = web_client_for(make_user(is_staff=True)).get(reverse("web:egress_ledger")).content.decode()
    assert 'data-address="https://hooks.example.com/anneal"' in page and "Hooked Org" in page
