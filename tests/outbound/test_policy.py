"""Address classification and the instance admin's allowlist (no network)."""

from __future__ import annotations

import ipaddress
import subprocess
import sys

import pytest

from core import outbound
from core.outbound import AddressClass, Allowlist, AllowlistInvalid
from core.outbound.policy import refusal_reason


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", AddressClass.LOOPBACK),
    ("127.8.9.10", AddressClass.LOOPBACK),
    ("::1", AddressClass.LOOPBACK),
    ("169.254.1.1", AddressClass.LINK_LOCAL),
    ("fe80::1", AddressClass.LINK_LOCAL),
    ("169.254.169.254", AddressClass.METADATA),
    ("169.254.170.2", AddressClass.METADATA),
    ("fd00:ec2::254", AddressClass.METADATA),
    ("100.100.100.200", AddressClass.METADATA),
    ("0.0.0.0", AddressClass.UNSPECIFIED),
    ("::", AddressClass.UNSPECIFIED),
    ("224.0.0.1", AddressClass.MULTICAST),
    ("ff02::1", AddressClass.MULTICAST),
    ("255.255.255.255", AddressClass.BROADCAST),
    ("240.0.0.1", AddressClass.RESERVED),
    ("192.0.2.10", AddressClass.RESERVED),
    ("2001:db8::1", AddressClass.RESERVED),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressClass.RESERVED),  # Teredo
    ("10.1.2.3", AddressClass.PRIVATE),
    ("172.16.0.1", AddressClass.PRIVATE),
    ("192.168.1.1", AddressClass.PRIVATE),
    ("100.64.0.1", AddressClass.PRIVATE),
    ("fd12:3456::1", AddressClass.PRIVATE),
    ("8.8.8.8", AddressClass.PUBLIC),
    ("2606:4700:4700::1111", AddressClass.PUBLIC),
])
def test_addresses_are_classified(address, expected):
    assert outbound.classify(address) is expected


@pytest.mark.parametrize("address, expected", [
    ("::ffff:127.0.0.1", AddressClass.LOOPBACK),  # IPv4-mapped
    ("::ffff:169.254.169.254", AddressClass.METADATA),
    ("::ffff:0.0.0.0", AddressClass.UNSPECIFIED),
    ("::ffff:10.0.0.1", AddressClass.PRIVATE),
    ("::127.0.0.1", AddressClass.LOOPBACK),  # IPv4-compatible
    ("::ffff:0:127.0.0.1", AddressClass.LOOPBACK),  # IPv4-translated
    ("64:ff9b::7f00:1", AddressClass.LOOPBACK),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", AddressClass.METADATA),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::1", AddressClass.LOOPBACK),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", AddressClass.METADATA),
    ("::ffff:8.8.8.8", AddressClass.PUBLIC),
])
def test_ipv6_forms_of_an_ipv4_address_are_classified_by_that_address(address, expected):
    assert outbound.classify(address) is expected


def test_by_default_only_public_addresses_are_allowed():
    empty = Allowlist()
    assert refusal_reason(ipaddress.ip_address("8.8.8.8"), "dns.google", empty) is None
    for address in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::ffff:127.0.0.1", "0.0.0.0", "fd00::1"]:
        assert refusal_reason(ipaddress.ip_address(address), "x.example", empty), address


def test_a_cidr_entry_allows_the_private_addresses_in_it():
    allowlist = Allowlist.parse(["10.0.0.0/8"])
    assert refusal_reason(ipaddress.ip_address("10.20.30.40"), "idp.corp.example", allowlist) is None
    assert refusal_reason(ipaddress.ip_address("::ffff:10.20.30.40"), "idp.corp.example", allowlist) is None
    assert refusal_reason(ipaddress.ip_address("192.168.1.1"), "idp.corp.example", allowlist)


def test_a_host_name_entry_allows_private_addresses_for_that_name_only_and_never_loopback():
    allowlist = Allowlist.parse(["idp.corp.example", ".siem.corp.example"])
    assert refusal_reason(ipaddress.ip_address("10.0.0.5"), "IDP.corp.example.", allowlist) is None
    assert refusal_reason(ipaddress.ip_address("10.0.0.5"), "eu.siem.corp.example", allowlist) is None
    assert refusal_reason(ipaddress.ip_address("10.0.0.5"), "other.corp.example", allowlist)
    assert refusal_reason(ipaddress.ip_address("127.0.0.1"), "idp.corp.example", allowlist)
    assert refusal_reason(ipaddress.ip_address("169.254.169.254"), "idp.corp.example", allowlist)


def test_metadata_addresses_are_opened_only_by_an_entry_naming_them_exactly():
    assert refusal_reason(ipaddress.ip_address("169.254.169.254"), "m", Allowlist.parse(["0.0.0.0/0"]))
    assert refusal_reason(ipaddress.ip_address("169.254.169.254"), "m", Allowlist.parse(["169.254.0.0/16"]))
    assert refusal_reason(ipaddress.ip_address("169.254.1.1"), "m", Allowlist.parse(["169.254.0.0/16"])) is None
    assert refusal_reason(ipaddress.ip_address("169.254.169.254"), "m", Allowlist.parse(["169.254.169.254"])) is None


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "http://idp.example", "idp example", "*.corp.example", "a/b"])
def test_an_invalid_allowlist_entry_is_refused(entry):
    with pytest.raises(AllowlistInvalid, match="ANNEAL_OUTBOUND_ALLOW"):
        Allowlist.parse([entry])


def test_an_invalid_allowlist_stops_the_server_at_start():
    result = subprocess.run([sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
                             "'core.settings'; django.setup()"], capture_output=True, text=True,
                            env={**__import__("os").environ, "ANNEAL_OUTBOUND_ALLOW": "10.0.0.0/8,not a host"})
    assert result.returncode != 0
    assert "ANNEAL_OUTBOUND_ALLOW" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_the_setting_is_read_as_the_allowlist(settings):
    settings.ANNEAL_OUTBOUND_ALLOW = ["10.0.0.0/8", "idp.corp.example"]
    assert outbound.current_allowlist().describe() == ["10.0.0.0/8", "idp.corp.example"]
    assert outbound.is_allowlisted("10.1.1.1") and outbound.is_allowlisted("idp.corp.example")
    assert not outbound.is_allowlisted("127.0.0.1")


@pytest.mark.parametrize("url, message", [
    ("ftp://x.example/", "https://"),
    ("https://", "https://"),
    ("https://user:pw@x.example/", "user name and password"),
    ("https://x.example:99999/", "not valid"),
    ("https://x.example/a b", "control characters"),
    ("http://x.example/", "must start with https://"),
])
def test_malformed_urls_are_refused_with_a_reason_about_the_url(url, message):
    with pytest.raises(outbound.InvalidDestination, match=message):
        outbound.validate_url(url)


@pytest.mark.parametrize("url", ["https://127.0.0.1/", "https://[::1]/", "https://169.254.169.254/latest/",
                                 "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://10.0.0.1/"])
def test_address_literals_are_refused_when_a_url_is_saved(url):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.validate_url(url)
    assert str(refused.value) == "refused by the outbound policy"


def test_plain_http_is_accepted_only_to_an_allowlisted_host(settings):
    settings.ANNEAL_OUTBOUND_ALLOW = ["127.0.0.1"]
    assert outbound.validate_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    with pytest.raises(outbound.InvalidDestination):
        outbound.validate_url("http://siem.example.com/")
