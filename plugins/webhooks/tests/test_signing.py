import pytest

from anneal_webhooks import signing

SECRET = "whsec_test"
BODY = b'{"type":"project.created"}'


def test_a_signature_made_now_verifies_and_returns_its_timestamp():
    header = signing.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    assert signing.verify(SECRET, header, BODY, now=1_700_000_010) == 1_700_000_000


@pytest.mark.parametrize("body", [BODY + b" ", b'{"type":"project.deleted"}', b""])
def test_a_tampered_body_is_refused(body):
    header = signing.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    with pytest.raises(signing.InvalidSignature, match="does not match"):
        signing.verify(SECRET, header, body, now=1_700_000_000)


def test_a_signature_with_another_secret_is_refused():
    header = signing.signature_header("whsec_other", BODY, timestamp=1_700_000_000)
    with pytest.raises(signing.InvalidSignature):
        signing.verify(SECRET, header, BODY, now=1_700_000_000)


def test_a_replayed_old_request_is_refused_even_with_a_valid_digest():
    header = signing.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    with pytest.raises(signing.InvalidSignature, match="timestamp"):
        signing.verify(SECRET, header, BODY, now=1_700_000_000 + 301)


def test_changing_the_timestamp_breaks_the_signature():
    header = signing.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    forged = header.replace("t=1700000000", "t=1700000100")
    with pytest.raises(signing.InvalidSignature, match="does not match"):
        signing.verify(SECRET, forged, BODY, now=1_700_000_100)


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", "v1=00", "t=1700000000", "t=1700000000,v1"])
def test_a_missing_or_malformed_header_is_refused(header):
    with pytest.raises(signing.InvalidSignature):
        signing.verify(SECRET, header, BODY, now=1_700_000_000)


def test_any_of_several_v1_signatures_may_match_during_a_secret_rotation():
    good = signing.compute(SECRET, 1_700_000_000, BODY)
    header = f"t=1700000000,v1={'0' * 64},v1={good}"
    assert signing.verify(SECRET, header, BODY, now=1_700_000_000) == 1_700_000_000
