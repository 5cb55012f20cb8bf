"""The vendor's release key: made outside any repository, signing a release, trusted where configured.

Every key here is a throwaway made by the test. A vendor makes a pair with ``anneal release keygen``,
signs a directory with ``anneal release sign``, and its customers' ``anneal release verify`` trusts
the public half because the product declares it (``Product.release_keys``) or because
``ANNEAL_RELEASE_PUBLIC_KEYS`` names it.
"""

from __future__ import annotations

import io
import json
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from core.plugins import Product, hookimpl, manager
from core.release import keyring
from core.release.signing import private_key_pem, public_key_base64, public_key_pem

from .conftest import REPO
from .test_release_verification import verify_in_process


class _Declares:
    def __init__(self, declared: Product) -> None:
        self.declared = declared

    @hookimpl
    def anneal_product(self) -> Product:
        return self.declared


@pytest.fixture
def declare_product():
    registered = []

    def declare(declared: Product) -> None:
        plugin = _Declares(declared)
        manager.plugin_manager.register(plugin, name="acme_product_test")
        manager._state["generation"] += 1
        registered.append(plugin)

    yield declare
    for plugin in registered:
        manager.plugin_manager.unregister(plugin)
    manager._state["generation"] += 1


@pytest.fixture(autouse=True)
def nothing_configured(monkeypatch):
    monkeypatch.delenv(keyring.SETTING, raising=False)
    monkeypatch.delenv("ANNEAL_RELEASE_SIGNING_KEY", raising=False)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("release", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def keygen(directory: Path, *args: str) -> str:
    return run("keygen", str(directory), *args)


def a_release(directory: Path) -> Path:
    (directory / "wheels").mkdir(parents=True)
    (directory / "acme_cloud-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 acme")
    (directory / "wheels" / "acme_extras-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 extras")
    (directory / "licenses.txt").write_text("acme-cloud 1.0  proprietary\n")
    return directory


def throwaway_key(tmp_path: Path, name: str = "throwaway") -> tuple[Ed25519PrivateKey, Path]:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / f"{name}.key"
    path.write_text(private_key_pem(key))
    return key, path


# --- keygen -----------------------------------------------------------------------------------

def test_keygen_writes_a_private_key_only_its_owner_can_read_and_a_public_half_that_verifies_its_signatures(tmp_path):
    output = keygen(tmp_path / "secrets", "--key-id", "acme-release-2027")
    private, public = tmp_path / "secrets" / "acme-release-2027.key", tmp_path / "secrets" / "acme-release-2027.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "keep it secret, outside any repository" in output
    release = a_release(tmp_path / "release")
    run("sign", str(release), "--private-key", str(private))
    result = verify_in_process(release, public)
    assert result.returncode == 0, result.stderr
    assert "OK: 3 files match SHA256SUMS, signed with the release key acme-release-2027.pem (--key)" in result.stdout


def test_keygen_refuses_a_directory_inside_a_git_checkout_and_writes_nothing(tmp_path):
    (tmp_path / "product" / ".git").mkdir(parents=True)
    with pytest.raises(CommandError, match="is inside the git checkout .*: a release private key must live outside"):
        keygen(tmp_path / "product" / "deploy" / "keys")
    assert not (tmp_path / "product" / "deploy").exists()


def test_keygen_refuses_this_very_repository(tmp_path):
    target = REPO / "var" / "release-key-test"
    with pytest.raises(CommandError, match="is inside the git checkout"):
        keygen(target)
    assert not target.exists()


def test_keygen_never_overwrites_a_key(tmp_path):
    keygen(tmp_path, "--key-id", "k1")
    before = (tmp_path / "k1.key").read_bytes()
    with pytest.raises(CommandError, match="k1.key exists already; it is never overwritten"):
        keygen(tmp_path, "--key-id", "k1")
    assert (tmp_path / "k1.key").read_bytes() == before


@pytest.mark.parametrize("key_id", ["../escape", "Upper", "-", "a b"])
def test_keygen_refuses_a_key_id_that_is_not_a_plain_name(tmp_path, key_id):
    with pytest.raises(CommandError, match="is not a key id"):
        keygen(tmp_path / "keys", "--key-id", key_id)
    assert not (tmp_path / "keys").exists()


def test_the_default_key_id_names_the_product_and_the_year(tmp_path, declare_product):
    declare_product(Product(name="Acme Cloud", file_prefix="acme"))
    keygen(tmp_path)
    assert [p.name for p in sorted(tmp_path.iterdir())] == [
        f"acme-release-{datetime.now(timezone.utc).year}.key", f"acme-release-{datetime.now(timezone.utc).year}.pem"]


# --- sign ---------------------------------------------------------------------------------------

def test_sign_without_a_key_or_with_a_public_key_is_a_clear_error_and_writes_nothing(tmp_path):
    release = a_release(tmp_path / "release")
    with pytest.raises(CommandError, match=r"Give the release signing key with --private-key FILE or \$ANNEAL_RELEASE_SIGNING_KEY"):
        run("sign", str(release))
    public = tmp_path / "public.pem"
    public.write_text(public_key_pem(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(CommandError, match="public.pem is not an Ed25519 private key"):
        run("sign", str(release), "--private-key", str(public))
    assert not (release / "SHA256SUMS").exists()


def test_sign_takes_the_key_from_the_environment_of_a_ci_job(tmp_path, monkeypatch):
    key, _ = throwaway_key(tmp_path)
    monkeypatch.setenv("ANNEAL_RELEASE_SIGNING_KEY", private_key_pem(key))
    release = a_release(tmp_path / "release")
    assert public_key_base64(key.public_key()) in run("sign", str(release))
    monkeypatch.setenv(keyring.SETTING, json.dumps({"ci-key": public_key_base64(key.public_key())}))
    assert verify_in_process(release).returncode == 0


def test_sign_refuses_a_symbolic_link_naming_it_and_writes_nothing(tmp_path):
    _, private = throwaway_key(tmp_path)
    release = a_release(tmp_path / "release")
    (release / "link.whl").symlink_to(tmp_path / "throwaway.key")
    with pytest.raises(CommandError, match="link.whl: is a symbolic link"):
        run("sign", str(release), "--private-key", str(private))
    assert not (release / "SHA256SUMS").exists()


def test_sign_refuses_an_empty_directory(tmp_path):
    _, private = throwaway_key(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="holds no files to sign"):
        run("sign", str(tmp_path / "empty"), "--private-key", str(private))


def _change_artifact(release: Path) -> str:
    (release / "wheels" / "acme_extras-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 backdoor")
    return "wheels/acme_extras-1.0-py3-none-any.whl"


def _rewrite_checksum_file(release: Path) -> str:
    """The attacker changes an artifact and writes its new digest into SHA256SUMS."""
    import hashlib

    (release / "licenses.txt").write_text("acme-cloud 1.0  MIT\n")
    digest = hashlib.sha256((release / "licenses.txt").read_bytes()).hexdigest()
    sums = release / "SHA256SUMS"
    sums.write_text("".join(f"{digest}  licenses.txt\n" if line.endswith("  licenses.txt") else line + "\n"
                            for line in sums.read_text().splitlines()))
    return "SHA256SUMS.sig"


@pytest.mark.parametrize("tamper", [_change_artifact, _rewrite_checksum_file], ids=["artifact", "checksum-file"])
def test_a_vendor_signed_release_that_was_tampered_with_is_refused_naming_the_file(tmp_path, monkeypatch, tamper):
    key, private = throwaway_key(tmp_path)
    release = a_release(tmp_path / "release")
    run("sign", str(release), "--private-key", str(private))
    monkeypatch.setenv(keyring.SETTING, json.dumps({"acme-release-2027": public_key_pem(key.public_key())}))
    name = tamper(release)
    result = verify_in_process(release)
    assert result.returncode == 1
    assert f"REFUSED {name}: " in result.stderr


# --- which keys verify trusts -----------------------------------------------------------------------

def test_with_no_release_key_trusted_verify_refuses_and_says_how_to_trust_one(tmp_path):
    _, private = throwaway_key(tmp_path)
    release = a_release(tmp_path / "release")
    run("sign", str(release), "--private-key", str(private))
    assert keyring.trusted_keys() == {}
    result = verify_in_process(release)
    assert result.returncode == 1
    assert ("REFUSED SHA256SUMS.sig: no release public key is trusted here to check it with: give --key FILE "
            "with the key the vendor published, or set ANNEAL_RELEASE_PUBLIC_KEYS") in result.stderr
    assert "No release public key is trusted here" in run("keys")


def test_a_key_in_the_setting_is_trusted_and_named_with_where_it_comes_from(tmp_path, monkeypatch):
    key, private = throwaway_key(tmp_path)
    release = a_release(tmp_path / "release")
    run("sign", str(release), "--private-key", str(private))
    monkeypatch.setenv(keyring.SETTING, json.dumps({"vendor-2027": public_key_base64(key.public_key())}))
    result = verify_in_process(release)
    assert result.returncode == 0, result.stderr
    assert "signed with the release key vendor-2027 (ANNEAL_RELEASE_PUBLIC_KEYS)" in result.stdout
    assert run("keys").strip() == f"vendor-2027  {public_key_base64(key.public_key())}  (ANNEAL_RELEASE_PUBLIC_KEYS)"


def test_a_products_release_keys_replace_anneals_shipped_keys(tmp_path, monkeypatch, declare_product):
    anneal_key, anneal_private = throwaway_key(tmp_path, "anneal")
    acme_key, acme_private = throwaway_key(tmp_path, "acme")
    monkeypatch.setattr(keyring, "shipped_keys", lambda: {"anneal-release-test": anneal_key.public_key()})
    signed_by_anneal = a_release(tmp_path / "anneal-release")
    run("sign", str(signed_by_anneal), "--private-key", str(anneal_private))
    signed_by_acme = a_release(tmp_path / "acme-release")
    run("sign", str(signed_by_acme), "--private-key", str(acme_private))
    assert verify_in_process(signed_by_anneal).returncode == 0  # Anneal itself trusts the shipped key

    declare_product(Product(name="Acme Cloud", release_keys={"acme-release-2027": public_key_pem(acme_key.public_key())}))

    assert set(keyring.trusted_keys()) == {"acme-release-2027"}
    accepted = verify_in_process(signed_by_acme)
    assert accepted.returncode == 0, accepted.stderr
    assert "signed with the release key acme-release-2027 (declared by Acme Cloud)" in accepted.stdout
    refused = verify_in_process(signed_by_anneal)
    assert refused.returncode == 1
    assert "REFUSED SHA256SUMS.sig: does not match SHA256SUMS with the release key acme-release-2027" in refused.stderr


def test_a_product_declaring_a_key_that_is_not_one_is_an_error_naming_the_product(tmp_path, declare_product):
    declare_product(Product(name="Acme Cloud", release_keys={"acme-release-2027": "not a key"}))
    with pytest.raises(CommandError, match=r"The release keys of Acme Cloud \(plugin acme_product_test\): key "
                                           "'acme-release-2027' is not an Ed25519 public key"):
        run("keys")


@pytest.mark.parametrize("value, message", [
    ("{not json", "ANNEAL_RELEASE_PUBLIC_KEYS is not JSON"),
    ('["a list"]', "ANNEAL_RELEASE_PUBLIC_KEYS must map key ids to public keys, not list"),
    ('{"k": "AAAA"}', "ANNEAL_RELEASE_PUBLIC_KEYS: key 'k' is not an Ed25519 public key"),
])
def test_a_malformed_setting_is_an_error_that_names_it(tmp_path, monkeypatch, value, message):
    monkeypatch.setenv(keyring.SETTING, value)
    release = a_release(tmp_path / "release")
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("release", "verify", str(release), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_setting_cannot_take_over_a_trusted_key_id(tmp_path, monkeypatch, declare_product):
    acme_key, _ = throwaway_key(tmp_path)
    declare_product(Product(name="Acme Cloud", release_keys={"acme-release-2027": public_key_base64(acme_key.public_key())}))
    other = public_key_base64(Ed25519PrivateKey.generate().public_key())
    monkeypatch.setenv(keyring.SETTING, json.dumps({"acme-release-2027": other}))
    with pytest.raises(CommandError, match="key id 'acme-release-2027' is already trusted \\(declared by Acme Cloud\\)"):
        run("keys")


def test_during_a_rotation_a_product_declaring_the_old_and_the_new_key_accepts_releases_signed_by_either(
        tmp_path, declare_product):
    old_key, old_private = throwaway_key(tmp_path, "old")
    new_key, new_private = throwaway_key(tmp_path, "new")
    declare_product(Product(name="Acme Cloud", release_keys={
        "acme-release-2027": public_key_base64(old_key.public_key()),
        "acme-release-2028": public_key_base64(new_key.public_key()),
    }))
    for key_id, private in (("acme-release-2027", old_private), ("acme-release-2028", new_private)):
        release = a_release(tmp_path / key_id)
        run("sign", str(release), "--private-key", str(private))
        result = verify_in_process(release)
        assert result.returncode == 0, result.stderr
        assert f"signed with the release key {key_id} (declared by Acme Cloud)" in result.stdout
