"""core.secrets: encryption at rest with per-purpose keys derived from SECRET_KEY, and key rotation."""

import base64

import pytest

from core import secrets
from core.secrets import SecretUnreadable

PURPOSE = "tests.api-key"


def test_a_secret_round_trips_and_the_token_does_not_contain_it():
    token = secrets.encrypt("s3cr3t-value", purpose=PURPOSE)
    assert "s3cr3t-value" not in token
    assert secrets.decrypt(token, purpose=PURPOSE) == "s3cr3t-value"


def test_unicode_and_empty_text_round_trip():
    for text in ["", "clé privée ✓", "x" * 10_000]:
        assert secrets.decrypt(secrets.encrypt(text, purpose=PURPOSE), purpose=PURPOSE) == text


def test_encrypting_twice_gives_different_tokens():
    assert secrets.encrypt("same", purpose=PURPOSE) != secrets.encrypt("same", purpose=PURPOSE)


def test_a_token_for_one_purpose_is_refused_for_another():
    token = secrets.encrypt("value", purpose="plugin_a.secret")
    with pytest.raises(SecretUnreadable, match="plugin_b.secret"):
        secrets.decrypt(token, purpose="plugin_b.secret")


def test_an_old_key_in_the_fallbacks_still_decrypts_after_rotation(settings):
    token = secrets.encrypt("value", purpose=PURPOSE)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation"
    assert secrets.decrypt(token, purpose=PURPOSE) == "value"
    # New tokens use the new key: they stay readable once the fallback is removed.
    fresh = secrets.encrypt("value", purpose=PURPOSE)
    settings.SECRET_KEY_FALLBACKS = []
    assert secrets.decrypt(fresh, purpose=PURPOSE) == "value"


def test_a_changed_key_without_fallback_is_refused_with_what_to_do(settings):
    token = secrets.encrypt("value", purpose=PURPOSE)
    settings.SECRET_KEY = "a-new-key-after-rotation"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadable, match="ANNEAL_SECRET_KEY changed.*ANNEAL_SECRET_KEY_FALLBACKS"):
        secrets.decrypt(token, purpose=PURPOSE)


def _flip_one_byte(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("index", [0, 10, 30, -1])
def test_a_tampered_token_is_refused(index):
    token = secrets.encrypt("value", purpose=PURPOSE)
    with pytest.raises(SecretUnreadable, match="cannot be decrypted"):
        secrets.decrypt(_flip_one_byte(token, index), purpose=PURPOSE)


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA", "\u00e9\u00e9\u00e9", "=" * 40])
def test_malformed_tokens_are_refused_with_the_same_error(garbage):
    with pytest.raises(SecretUnreadable):
        secrets.decrypt(garbage, purpose=PURPOSE)


def test_a_purpose_is_required():
    with pytest.raises(ValueError, match="purpose"):
        secrets.encrypt("value", purpose="")
