"""No change to a valid key's bytes verifies, except the whitespace the format tolerates."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from anneal_enterprise.licensing import verify
from anneal_enterprise.licensing.errors import LicenseRefused
from anneal_enterprise.licensing.testing import TestSigner

SIGNER = TestSigner(key_id="property-key")
KEY = SIGNER.issue(license_id="lic_property").encode("ascii")
WHITESPACE = frozenset(b" \t\n\r")


@pytest.fixture(autouse=True)
def register_key(settings):
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = SIGNER.extra_public_keys()


def test_the_unmutated_key_verifies():
    assert verify.verify(KEY).claims.license_id == "lic_property"


def tolerated(original: int, replacement: int) -> bool:
    return original in WHITESPACE and replacement in WHITESPACE


mutations = st.lists(
    st.tuples(st.integers(0, len(KEY) - 1), st.integers(0, 255)), min_size=1, max_size=4,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations)
def test_no_byte_substitution_verifies(changes):
    mutated = bytearray(KEY)
    for position, value in changes:
        mutated[position] = value
    if bytes(mutated) == KEY or all(tolerated(a, b) for a, b in zip(KEY, mutated) if a != b):
        return
    with pytest.raises(LicenseRefused):
        verify.verify(bytes(mutated))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(KEY) - 1), st.binary(min_size=1, max_size=3))
def test_no_deletion_or_insertion_of_non_whitespace_verifies(position, inserted):
    deleted = KEY[:position] + KEY[position + 1:]
    if KEY[position] not in WHITESPACE:
        with pytest.raises(LicenseRefused):
            verify.verify(deleted)
    grown = KEY[:position] + inserted + KEY[position:]
    if not all(b in WHITESPACE for b in inserted):
        with pytest.raises(LicenseRefused):
            verify.verify(grown)
