"""``anneal release verify DIR``: check a downloaded release; ``keys``: the keys it trusts; ``licenses`` and
``sbom``: describe this installation; ``keygen`` and ``sign``: the vendor's side (docs/vendors.md, "A release")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from packaging.utils import canonicalize_name

from core.release import dependencies, keygen, keyring, licenses, sbom, signing
from core.release.verify import ReleaseRefused, sign_release, verify_release


class Command(BaseCommand):
    help = (
        "`anneal release verify DIR` checks a downloaded release offline: SHA256SUMS is signed by "
        "the Anneal release key and lists exactly the files present. `anneal release licenses` and "
        "`anneal release sbom` report the licenses and the CycloneDX SBOM of what is installed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{verify,keys,licenses,sbom,keygen,sign}",
                                        required=True)
        verify = actions.add_parser("verify", help="Check a release directory's signature and checksums.")
        verify.add_argument("directory", type=Path)
        verify.add_argument("--key", action="append", type=Path, default=[], metavar="FILE",
                            help="A release public key (PEM, or base64 of the raw key) to trust instead of "
                                 "the keys trusted here (`anneal release keys`). Repeat for several.")
        actions.add_parser("keys", help="The release public keys `verify` trusts here, and where each comes from.")
        generate = actions.add_parser("keygen", help="Create a release key pair (vendor): <id>.key and <id>.pem.")
        generate.add_argument("key_directory", type=Path, metavar="directory",
                            help="Where to write the pair: outside any repository (a secrets store, an offline disk).")
        generate.add_argument("--key-id", help="The key's id (default: <product>-release-<year>).")
        sign = actions.add_parser("sign", help="Write SHA256SUMS for a release directory and sign it (vendor).")
        sign.add_argument("directory", type=Path)
        sign.add_argument("--private-key", type=Path, metavar="FILE",
                          help=f"The release private key (PEM; else ${signing.SIGNING_KEY_ENV}).")
        report = actions.add_parser("licenses", help="The license of every installed, shipped dependency.")
        report.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        report.add_argument("--check", action="store_true",
                            help="Exit with an error if a dependency's license is incompatible with Apache-2.0.")
        bom = actions.add_parser("sbom", help="A CycloneDX 1.6 JSON SBOM of the installed dependency tree.")
        bom.add_argument("--output", type=Path, help="Write to this file instead of printing.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self.verify(options["directory"], options["key"])
        elif action == "keys":
            self.keys()
        elif action == "keygen":
            self.keygen(options["key_directory"], options.get("key_id"))
        elif action == "sign":
            self.sign(options["directory"], options.get("private_key"))
        elif action == "licenses":
            self.licenses(options["json"], options["check"])
        else:
            self.sbom(options.get("output"))

    def _trusted(self, files: list[Path]) -> dict[str, keyring.TrustedKey]:
        if not files:
            try:
                return keyring.trusted_keys()
            except keyring.KeyringError as error:
                raise CommandError(str(error)) from None
        trusted = {}
        for path in files:
            try:
                trusted[path.name] = keyring.TrustedKey(path.name, signing.load_public_key(path.read_text("ascii")),
                                                        "--key")
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise CommandError(f"{path}: not an Ed25519 public key ({error}).") from None
        return trusted

    def verify(self, directory: Path, key_files: list[Path]) -> None:
        trusted = self._trusted(key_files)
        try:
            verified = verify_release(directory, {key_id: entry.key for key_id, entry in trusted.items()})
        except ReleaseRefused as refused:
            for problem in refused.problems:
                self.stderr.write(self.style.ERROR(f"REFUSED {problem}"))
            raise CommandError(
                f"{directory} is not the release that was signed: do not install it. Download it again, "
                "and report it to the vendor if it still fails."
            ) from None
        matched = "1 file matches" if len(verified.files) == 1 else f"{len(verified.files)} files match"
        self.stdout.write(self.style.SUCCESS(
            f"OK: {matched} SHA256SUMS, signed with the release key {verified.key_id} "
            f"({trusted[verified.key_id].origin})."
        ))

    def keys(self) -> None:
        trusted = self._trusted([])
        if not trusted:
            self.stdout.write("No release public key is trusted here: `anneal release verify` needs --key FILE, "
                              f"or set {keyring.SETTING} (docs/releases.md).")
        for key_id, entry in trusted.items():
            self.stdout.write(f"{key_id}  {signing.public_key_base64(entry.key)}  ({entry.origin})")

    def keygen(self, directory: Path, key_id: str | None) -> None:
        try:
            pair = keygen.generate(directory, key_id)
        except keygen.KeygenRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {pair.private_path} (the private key: keep it secret, outside any repository) and "
            f"{pair.public_path} (the public key: publish it)."))
        self.stdout.write(
            f"Sign a release directory: anneal release sign DIR --private-key {pair.private_path}\n"
            f"Let `anneal release verify` trust it, one of:\n"
            f"  in your product's declaration: Product(..., release_keys={{\"{pair.key_id}\": \"{pair.public_base64}\"}})\n"
            f"  in the environment: {keyring.SETTING}='{{\"{pair.key_id}\": \"{pair.public_base64}\"}}'")

    def sign(self, directory: Path, private_key: Path | None) -> None:
        try:
            key = signing.read_private_key(private_key)
            files = sign_release(directory, key)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except ReleaseRefused as refused:
            raise CommandError(f"{directory} was not signed: {refused}.") from None
        self.stdout.write(self.style.SUCCESS(
            f"Signed {directory}: SHA256SUMS lists {len(files)} files, SHA256SUMS.sig holds its signature "
            f"(public key {signing.public_key_base64(key.public_key())})."))

    def _installed(self) -> dict[str, dependencies.Installed]:
        try:
            return dependencies.tree(_roots())
        except dependencies.MissingDistribution as error:
            raise CommandError(f"The installation is incomplete: {error}.") from None

    def licenses(self, as_json: bool, check: bool) -> None:
        entries = licenses.report(self._installed(), own_names={canonicalize_name(name) for name in _roots()})
        if as_json:
            self.stdout.write(json.dumps([e.as_dict() for e in entries], indent=2))
        else:
            self.stdout.write(licenses.render_text(entries), ending="")
        refused = licenses.problems(entries)
        if check and refused:
            for line in refused:
                self.stderr.write(self.style.ERROR(line))
            raise CommandError(f"{len(refused)} dependencies have a license that cannot ship with Anneal.")

    def sbom(self, output: Path | None) -> None:
        installed = self._installed()
        root = _product_distribution() or dependencies.CORE
        text = json.dumps(sbom.build(installed, root=canonicalize_name(root)), indent=2) + "\n"
        if output:
            output.write_text(text)
            self.stdout.write(f"SBOM written to {output}")
        else:
            self.stdout.write(text, ending="")


def _roots() -> list[str]:
    """What this installation ships as its own: Anneal's distributions and every loaded plugin's."""
    from core.plugins import manager

    roots = [name for name in dependencies.SHIPPED if _is_installed(name)]
    known = {canonicalize_name(name) for name in roots}
    for record in manager.records():
        if record.distribution and record.status == "loaded" and canonicalize_name(record.distribution) not in known:
            known.add(canonicalize_name(record.distribution))
            roots.append(record.distribution)
    return roots


def _product_distribution() -> str | None:
    """The distribution of the product in force, when it is a vendor's product built on Anneal."""
    from core import product
    from core.plugins import manager

    declared_by = product.declared_by()
    record = manager.record_for(declared_by) if declared_by else None
    return record.distribution if record else None


def _is_installed(name: str) -> bool:
    from importlib import metadata

    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True
