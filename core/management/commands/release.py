"""``anneal release verify DIR``: check a downloaded release; ``licenses`` and ``sbom``: describe this installation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.release import dependencies, keyring, licenses, sbom, signing
from core.release.verify import ReleaseRefused, verify_release


class Command(BaseCommand):
    help = (
        "`anneal release verify DIR` checks a downloaded release offline: SHA256SUMS is signed by "
        "the Anneal release key and lists exactly the files present. `anneal release licenses` and "
        "`anneal release sbom` report the licenses and the CycloneDX SBOM of what is installed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{verify,licenses,sbom}", required=True)
        verify = actions.add_parser("verify", help="Check a release directory's signature and checksums.")
        verify.add_argument("directory", type=Path)
        verify.add_argument("--key", action="append", type=Path, default=[], metavar="FILE",
                            help="A release public key (PEM, or base64 of the raw key) to trust instead of "
                                 "the keys shipped with this Anneal. Repeat for several.")
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
        elif action == "licenses":
            self.licenses(options["json"], options["check"])
        else:
            self.sbom(options.get("output"))

    def _keys(self, files: list[Path]) -> dict[str, Any]:
        if not files:
            return dict(keyring.shipped_keys())
        keys = {}
        for path in files:
            try:
                keys[path.name] = signing.load_public_key(path.read_text("ascii"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise CommandError(f"{path}: not an Ed25519 public key ({error}).") from None
        return keys

    def verify(self, directory: Path, key_files: list[Path]) -> None:
        try:
            verified = verify_release(directory, self._keys(key_files))
        except ReleaseRefused as refused:
            for problem in refused.problems:
                self.stderr.write(self.style.ERROR(f"REFUSED {problem}"))
            raise CommandError(
                f"{directory} is not the release that was signed: do not install it. Download it again, "
                "and report it to the vendor if it still fails."
            ) from None
        self.stdout.write(self.style.SUCCESS(
            f"OK: {len(verified.files)} files match SHA256SUMS, signed with the release key {verified.key_id}."
        ))

    def _installed(self) -> dict[str, dependencies.Installed]:
        present = [name for name in dependencies.SHIPPED if _is_installed(name)]
        try:
            return dependencies.tree(present)
        except dependencies.MissingDistribution as error:
            raise CommandError(f"The installation is incomplete: {error}.") from None

    def licenses(self, as_json: bool, check: bool) -> None:
        entries = licenses.report(self._installed())
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
        text = json.dumps(sbom.build(self._installed()), indent=2) + "\n"
        if output:
            output.write_text(text)
            self.stdout.write(f"SBOM written to {output}")
        else:
            self.stdout.write(text, ending="")


def _is_installed(name: str) -> bool:
    from importlib import metadata

    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True
