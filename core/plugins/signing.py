"""Signed plugins: a vendor's Ed25519 signature over a wheel's files, checked where it is installed.

``anneal plugins sign WHEEL --key VENDOR_PRIVATE_KEY.pem`` adds ``ANNEAL-SIGNATURE.json`` to the
wheel's ``.dist-info``: the distribution's name and version, the vendor, the signing key's id,
and the SHA-256 of every file in the wheel (as its ``RECORD`` lists them), signed as canonical
JSON. pip installs the file with the rest. When Anneal starts, each plugin's installed files are
hashed again and compared with the signed list, before the plugin is imported:

- ``trusted``: the signature verifies with a key in the instance's trust store and no signed
  file changed (nor was a Python file added to its packages);
- ``unknown-key``: signed by a key the trust store does not hold;
- ``invalid``: the signature or a file does not match (the detail names the file);
- ``unsigned``: no signature file (an editable install, or a vendor who does not sign).

The trust store is a folder (``ANNEAL_PLUGIN_TRUST_DIR``, default ``ANNEAL_DATA_DIR/plugin-trust``)
of JSON files written by ``anneal plugins trust add VENDOR_PUBLIC_KEY.pem --vendor NAME``. With
``ANNEAL_PLUGINS_REQUIRE_SIGNED=1`` only ``trusted`` plugins load (``ANNEAL_PLUGINS_ALLOW_UNSIGNED``
names exceptions); the others are refused without being imported.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_FILE = "ANNEAL-SIGNATURE.json"
FORMAT = 1
State = Literal["trusted", "unknown-key", "invalid", "unsigned"]


class SigningError(ValueError):
    """A wheel or key that cannot be signed with, or a trust store entry that cannot be read."""


@dataclass(frozen=True)
class SignatureStatus:
    state: State
    detail: str = ""
    vendor: str | None = None
    key_id: str | None = None

    @property
    def trusted(self) -> bool:
        return self.state == "trusted"

    def describe(self) -> str:
        if self.state == "trusted":
            return f"signed by {self.vendor} (key {self.key_id})"
        if self.state == "unknown-key":
            return f"signed by an unknown key {self.key_id} (claims vendor {self.vendor!r}): not in the trust store"
        if self.state == "invalid":
            return f"signature invalid: {self.detail}"
        return "unsigned"


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    vendor: str
    public_key: Ed25519PublicKey


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


# --- the trust store ---------------------------------------------------------------------

def trust_dir() -> Path:
    configured = os.environ.get("ANNEAL_PLUGIN_TRUST_DIR", "").strip()
    if configured:
        return Path(configured)
    # the same default as settings.DATA_DIR: this runs while the settings load
    return Path(os.environ.get("ANNEAL_DATA_DIR", str(Path.cwd() / "var"))) / "plugin-trust"


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise SigningError(f"Not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError("The key is not an Ed25519 public key.")
    return key


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"Not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError("The key is not an Ed25519 private key.")
    return key


def trusted_keys(directory: Path | None = None) -> dict[str, TrustedKey]:
    """The trust store's keys by id; an unreadable entry is skipped (``trust list`` shows why)."""
    keys = {}
    for entry, problem in trust_entries(directory):
        if entry is not None:
            keys[entry.key_id] = entry
    return keys


def trust_entries(directory: Path | None = None) -> list[tuple[TrustedKey | None, str]]:
    folder = directory or trust_dir()
    found: list[tuple[TrustedKey | None, str]] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            key = load_public_key(data["public_key"].encode())
            vendor = str(data["vendor"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, SigningError) as exc:
            found.append((None, f"{path.name}: {exc}"))
            continue
        found.append((TrustedKey(key_id_of(key), vendor, key), path.name))
    return found


def trust(public_key_pem: bytes, vendor: str, directory: Path | None = None) -> TrustedKey:
    """Add a vendor's public key to the trust store."""
    key = load_public_key(public_key_pem)
    vendor = vendor.strip()
    if not vendor:
        raise SigningError("Name the vendor whose key this is (--vendor).")
    folder = directory or trust_dir()
    folder.mkdir(parents=True, exist_ok=True)
    entry = TrustedKey(key_id_of(key), vendor, key)
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    (folder / f"{entry.key_id}.json").write_text(
        json.dumps({"vendor": vendor, "key_id": entry.key_id, "public_key": pem}, indent=2) + "\n", encoding="utf-8")
    return entry


def distrust(key_id: str, directory: Path | None = None) -> bool:
    path = (directory or trust_dir()) / f"{key_id}.json"
    if not path.is_file():
        return False
    path.unlink()
    return True


# --- signing a wheel ---------------------------------------------------------------------

def _wheel_parts(archive: zipfile.ZipFile) -> tuple[str, str, str]:
    records = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD") and n.count("/") == 1]
    if len(records) != 1:
        raise SigningError("Not a wheel: it has no single .dist-info/RECORD.")
    dist_info = records[0].rsplit("/", 1)[0]
    meta = archive.read(f"{dist_info}/METADATA").decode("utf-8")
    fields = dict(line.split(": ", 1) for line in meta.splitlines() if ": " in line and not line.startswith(" "))
    return dist_info, fields.get("Name", ""), fields.get("Version", "")


def sign_wheel(wheel: Path, private_key: Ed25519PrivateKey, vendor: str) -> str:
    """Add the signature file to ``wheel`` in place; return the signing key's id."""
    vendor = vendor.strip()
    if not vendor:
        raise SigningError("Name the vendor that signs (--vendor).")
    with zipfile.ZipFile(wheel) as archive:
        dist_info, name, version = _wheel_parts(archive)
        entries = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    record_name, signature_name = f"{dist_info}/RECORD", f"{dist_info}/{SIGNATURE_FILE}"
    files = {path: _record_hash(data) for path, data in sorted(entries.items())
             if path not in (record_name, signature_name) and not path.endswith("/")}
    key_id = key_id_of(private_key.public_key())
    document: dict[str, Any] = {"format": FORMAT, "distribution": name, "version": version, "vendor": vendor,
                                "key_id": key_id, "files": files}
    document["signature"] = base64.b64encode(private_key.sign(_canonical(document))).decode()
    signature_bytes = (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()
    record_lines = [line for line in entries[record_name].decode().splitlines()
                    if line and not line.startswith(f"{signature_name},")]
    record_lines.insert(len(record_lines) - 1, f"{signature_name},{_record_hash(signature_bytes)},{len(signature_bytes)}")
    entries[signature_name] = signature_bytes
    entries[record_name] = ("\n".join(record_lines) + "\n").encode()
    temporary = wheel.with_suffix(".signing")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path, data in entries.items():
            if path != record_name:
                out.writestr(path, data)
        out.writestr(record_name, entries[record_name])  # RECORD last, as wheel builders write it
    temporary.replace(wheel)
    return key_id


# --- checking an installed distribution --------------------------------------------------

def _invalid(detail: str, document: dict[str, Any] | None = None) -> SignatureStatus:
    document = document or {}
    return SignatureStatus("invalid", detail, document.get("vendor"), document.get("key_id"))


def check_distribution(dist: metadata.Distribution, keys: dict[str, TrustedKey] | None = None) -> SignatureStatus:
    """The signature state of an installed distribution (files hashed on disk)."""
    text = dist.read_text(SIGNATURE_FILE)
    if text is None:
        return SignatureStatus("unsigned")
    try:
        document = json.loads(text)
        signature = base64.b64decode(document.pop("signature"), validate=True)
        files = document["files"]
        if document.get("format") != FORMAT or not isinstance(files, dict):
            raise ValueError(f"unknown signature format {document.get('format')!r}")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return _invalid(f"{SIGNATURE_FILE} cannot be read ({exc})")
    if document.get("distribution") != dist.metadata["Name"] or document.get("version") != dist.version:
        return _invalid(f"the signature is for {document.get('distribution')} {document.get('version')}, "
                        f"not {dist.metadata['Name']} {dist.version}", document)
    keys = trusted_keys() if keys is None else keys
    trusted = keys.get(str(document.get("key_id")))
    if trusted is None:
        return SignatureStatus("unknown-key", "", document.get("vendor"), document.get("key_id"))
    try:
        trusted.public_key.verify(signature, _canonical(document))
    except InvalidSignature:
        return _invalid("the signature does not verify with the trusted key "
                        f"{trusted.key_id} ({trusted.vendor})", document)
    problem = _changed_file(dist, files)
    if problem:
        return _invalid(problem, document)
    return SignatureStatus("trusted", "", trusted.vendor, trusted.key_id)


def _changed_file(dist: metadata.Distribution, files: dict[str, str]) -> str | None:
    packages: set[Path] = set()
    for path, expected in files.items():
        location = Path(str(dist.locate_file(path)))
        try:
            actual = _record_hash(location.read_bytes())
        except OSError:
            return f"{path} is missing"
        if actual != expected:
            return f"{path} was changed after signing"
        if path.endswith(".py") and ".dist-info/" not in path and ".data/" not in path:
            packages.add(location.parent)
    signed = {Path(str(dist.locate_file(path))).resolve() for path in files}
    for folder in sorted(packages):
        for source in folder.glob("*.py"):
            if source.resolve() not in signed:
                return f"{source.name} in {folder.name}/ is not part of the signed distribution"
    return None
