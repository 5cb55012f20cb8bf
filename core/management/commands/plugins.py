"""``anneal plugins``: list plugins; ``new NAME``: scaffold one; ``sign``, ``keygen`` and ``trust``: signed
plugins; ``test``: a plugin against other releases; ``docs``: the hook and plugin API references."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.plugins import api_reference, budget, compat, reference, signing
from core.plugins.manager import summary
from core.plugins.scaffold import ScaffoldError, create_plugin
from core.wording import counted


class Command(BaseCommand):
    help = (
        "List every plugin with its version, supported core versions, status (loaded, degraded, failed, "
        "incompatible, disabled) and hooks, with its failing and slow hooks. "
        "`anneal plugins new NAME` creates a new plugin; `anneal plugins docs` writes the hook reference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        actions = parser.add_subparsers(dest="action", metavar="{new,test,sign,keygen,trust,docs}")
        new = actions.add_parser("new", help="Create a separately installable plugin with passing tests.")
        new.add_argument("name", help="The plugin's name, e.g. hello-world (lowercase, digits, hyphens).")
        new.add_argument("--directory", default=".", help="Where to create it (default: the current folder).")
        new.add_argument("--licensed", action="store_true",
                         help="Add a licensed feature, a vendor key pair and a key-issuing tool kept outside the package.")
        sign = actions.add_parser("sign", help="Sign a plugin's wheel with the vendor's Ed25519 key (in place).")
        sign.add_argument("wheel", help="The .whl file to sign.")
        sign.add_argument("--key", required=True, help="The vendor's private key (PEM), kept outside the repository.")
        sign.add_argument("--vendor", required=True, help="The vendor's name, shown to the admins who install it.")
        keygen = actions.add_parser("keygen", help="Create a vendor signing key pair (private.pem, public.pem).")
        keygen.add_argument("key_directory", metavar="directory",
                            help="Where to write the two files (created; must not hold them yet).")
        trust = actions.add_parser("trust", help="The trust store of vendor keys that sign plugins.")
        trust_actions = trust.add_subparsers(dest="trust_action", metavar="{add,list,remove}")
        trust_add = trust_actions.add_parser("add", help="Trust a vendor's public key.")
        trust_add.add_argument("public_key", help="The vendor's public key (PEM).")
        trust_add.add_argument("--vendor", required=True, help="Whose key it is.")
        trust_actions.add_parser("list", help="List the trusted keys.")
        trust_remove = trust_actions.add_parser("remove", help="Stop trusting a key.")
        trust_remove.add_argument("key_id", help="The key's id, as `trust list` shows it.")
        test = actions.add_parser("test", help="Run a plugin's tests against other Anneal core releases (wheels).")
        test.add_argument("plugin", help="The plugin's source folder (with pyproject.toml and tests/).")
        test.add_argument("--core", action="append", required=True, metavar="WHEEL_OR_FOLDER",
                          help="An Anneal core wheel, or a folder of them; repeat for several releases.")
        docs = actions.add_parser("docs", help="Generate the hook reference (docs/plugins/hooks.md), or with --api "
                                                "the plugin API reference (docs/plugins/api.md).")
        docs.add_argument("--api", action="store_true", help="The plugin API reference instead of the hooks.")
        docs.add_argument("--output", help="Write to this file instead of printing.")
        docs.add_argument("--check", action="store_true",
                          help="Exit with an error when --output differs from what would be generated.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action == "new":
            self.new(options["name"], Path(options["directory"]), options.get("licensed", False))
        elif action == "sign":
            self.sign(Path(options["wheel"]), Path(options["key"]), options["vendor"])
        elif action == "keygen":
            self.keygen(Path(options["key_directory"]))
        elif action == "trust":
            self.trust(options)
        elif action == "test":
            self.test(Path(options["plugin"]), [Path(p) for p in options["core"]])
        elif action == "docs":
            self.docs(options.get("output"), options.get("check", False), options.get("api", False))
        else:
            self.list(options["json"])

    def list(self, as_json: bool) -> None:
        rows = summary()
        slow: dict[str, list[budget.SlowHook]] = {}
        for entry in budget.overview():
            slow.setdefault(entry.plugin, []).append(entry)
        if as_json:
            for row in rows:
                row["slow_hooks"] = [
                    {"hook": s.hook, "count": s.count, "slowest_ms": round(s.slowest_ms, 1)} for s in slow.get(row["name"], [])
                ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            style = {"loaded": self.style.SUCCESS, "degraded": self.style.WARNING}.get(row["status"], self.style.ERROR)
            kind = " (built in)" if row["builtin"] else ""
            self.stdout.write(style(f"{row['name']}{kind}  {row['version'] or '-'}  {row['status']}"))
            self.stdout.write(f"    supports anneal: {row['requires'] or 'any'}")
            if row["error"]:
                self.stdout.write(self.style.ERROR(f"    error: {row['error']}"))
            self.stdout.write(f"    hooks: {', '.join(row['hooks']) or '-'}")
            if not row["builtin"]:
                trusted = row["signature"]["state"] == "trusted"
                self.stdout.write((self.style.SUCCESS if trusted else self.style.WARNING)(
                    f"    signature: {row['signature']['detail']}"))
            for failure in row["failures"]:
                self.stdout.write(self.style.WARNING(
                    f"    failing: {failure['hook']} raised {counted(failure['count'], 'time')}, last at "
                    f"{failure['last_at']}: {failure['last_error']}"
                ))
            for entry in slow.get(row["name"], []):
                self.stdout.write(self.style.WARNING(
                    f"    slow: {entry.hook} over the {budget.budget_ms():.0f} ms budget {counted(entry.count, 'time')}, "
                    f"slowest {entry.slowest_ms:.0f} ms"
                ))

    def sign(self, wheel: Path, key: Path, vendor: str) -> None:
        try:
            private_key = signing.load_private_key(key.read_bytes())
            key_id = signing.sign_wheel(wheel, private_key, vendor)
        except (OSError, zipfile.BadZipFile, signing.SigningError) as exc:
            raise CommandError(f"Cannot sign {wheel}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Signed {wheel.name} as {vendor} with key {key_id}"))

    def keygen(self, directory: Path) -> None:
        private_path, public_path = directory / "private.pem", directory / "public.pem"
        if private_path.exists() or public_path.exists():
            raise CommandError(f"{directory} already holds a key pair; it is not overwritten.")
        directory.mkdir(parents=True, exist_ok=True)
        private_key = Ed25519PrivateKey.generate()
        private_path.write_bytes(private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        private_path.chmod(0o600)
        public_path.write_bytes(private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {private_path} (keep it secret, outside any repository) and {public_path} "
            f"(give it to your customers); key id {signing.key_id_of(private_key.public_key())}"))

    def trust(self, options: dict[str, Any]) -> None:
        action = options.get("trust_action")
        if action == "add":
            try:
                entry = signing.trust(Path(options["public_key"]).read_bytes(), options["vendor"])
            except (OSError, signing.SigningError) as exc:
                raise CommandError(f"Cannot trust {options['public_key']}: {exc}") from None
            self.stdout.write(self.style.SUCCESS(f"Trusted key {entry.key_id} of {entry.vendor} in {signing.trust_dir()}"))
        elif action == "remove":
            if not signing.distrust(options["key_id"]):
                raise CommandError(f"No trusted key {options['key_id']} in {signing.trust_dir()}.")
            self.stdout.write(self.style.SUCCESS(f"Key {options['key_id']} is no longer trusted."))
        else:
            entries = signing.trust_entries()
            if not entries:
                self.stdout.write(f"No trusted keys in {signing.trust_dir()}.")
            for entry, where in entries:
                if entry is None:
                    self.stdout.write(self.style.ERROR(f"unreadable: {where}"))
                else:
                    self.stdout.write(f"{entry.key_id}  {entry.vendor}  ({where})")

    def test(self, plugin: Path, cores: list[Path]) -> None:
        try:
            results = compat.run(plugin, cores)
        except compat.CompatError as exc:
            raise CommandError(str(exc)) from None
        style = {"passed": self.style.SUCCESS, "failed": self.style.ERROR, "skipped": self.style.WARNING}
        for result in results:
            self.stdout.write(style[result.outcome](f"anneal {result.core_version}: {result.outcome} ({result.detail})"))
            if result.outcome == "failed":
                self.stdout.write(result.output[-4000:])
        failed = [r.core_version for r in results if r.outcome == "failed"]
        if failed:
            raise CommandError(f"The plugin's tests fail with Anneal {', '.join(failed)}.")

    def new(self, name: str, directory: Path, licensed: bool = False) -> None:
        try:
            target = create_plugin(name, directory, licensed=licensed)
        except ScaffoldError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Created the {name} plugin in {target}"))
        self.stdout.write("Next:")
        self.stdout.write(f"    pip install -e '{target}[test]'")
        self.stdout.write(f"    cd {target} && python -m pytest")
        self.stdout.write("    anneal plugins        # lists it as loaded")
        if licensed:
            self.stdout.write(f"The vendor's private key is in {target / 'vendor-keys'}: keep it offline, never ship it.")
            self.stdout.write(f"    python {target / 'tools' / 'issue_key.py'} --help   # issue license keys")

    def docs(self, output: str | None, check: bool, api: bool = False) -> None:
        try:
            text = api_reference.render() if api else reference.render()
        except api_reference.Undocumented as exc:
            raise CommandError(f"The plugin API has undocumented names:\n{exc}") from None
        if output is None:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                flag = " --api" if api else ""
                raise CommandError(f"{path} is out of date: run `anneal plugins docs{flag} --output {path}`.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
