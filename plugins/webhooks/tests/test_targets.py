import pytest

from anneal_webhooks.targets import TargetNotAllowed, check_resolved, validate_url


def test_a_public_https_url_is_accepted(settings):
    settings.ANNEAL_WEBHOOKS_ALLOW_LOOPBACK = False
    assert validate_url(" https://hooks.example.com/anneal ") == "https://hooks.example.com/anneal"


@pytest.mark.parametrize("url, reason", [
    ("http://hooks.example.com/", "https://"),
    ("ftp://hooks.example.com/", "https://"),
    ("javascript:alert(1)", "https://"),
    ("https://", "https://"),
    ("not a url", "https://"),
    ("https://user:pass@hooks.example.com/", "user name and password"),
    ("https://127.0.0.1/hooks", "loopback"),
    ("https://localhost/hooks", "loopback"),
    ("https://LOCALHOST./hooks", "loopback"),
    ("https://[::1]/hooks", "loopback"),
    ("https://10.0.0.5/hooks", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://hooks.example.com:99999/", "not valid"),
    ("https://example.com/" + "a" * 2000, "longer"),
])
def test_urls_that_could_reach_private_networks_or_leak_credentials_are_refused(settings, url, reason):
    settings.ANNEAL_WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(TargetNotAllowed, match=reason):
        validate_url(url)


def test_the_loopback_setting_allows_plain_http_on_127_0_0_1_only(settings):
    settings.ANNEAL_WEBHOOKS_ALLOW_LOOPBACK = True
    assert validate_url("http://127.0.0.1:8123/hooks") == "http://127.0.0.1:8123/hooks"
    assert validate_url("http://localhost:8123/hooks") == "http://localhost:8123/hooks"
    with pytest.raises(TargetNotAllowed):
        validate_url("http://hooks.example.com/")
    with pytest.raises(TargetNotAllowed):
        validate_url("https://10.0.0.5/")


def test_a_host_name_that_resolves_to_loopback_is_refused_at_send_time(settings):
    settings.ANNEAL_WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(TargetNotAllowed, match="non-public address"):
        check_resolved("https://localhost:8443/hooks")
