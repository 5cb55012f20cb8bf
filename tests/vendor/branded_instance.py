"""An instance running the example vendor product, in its own processes, for the brand tests.

``BrandedInstance`` installs ``examples/acme-product`` with pip into a throwaway virtual
environment (``GuideSandbox``), seeds an embedded-default database by running this module there
(``python -m tests.vendor.branded_instance SEED_FILE``), and serves it with ``anneal run``. The
console e-mail backend prints every e-mail the instance sends to the server's (or the seed's)
output, where :func:`emails_in` finds them.
"""

from __future__ import annotations

import email
import email.message
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.vendor.guide_blocks import ROOT, Block, GuideSandbox

PASSWORD = "correct horse battery"
STAFF_EMAIL = "olivia@example.com"
_EMAIL_SEPARATOR = "-" * 79


def emails_in(output: str) -> list[email.message.Message]:
    """The e-mails Django's console backend printed into ``output`` (between log lines)."""
    found = []
    for chunk in output.split(_EMAIL_SEPARATOR):
        start = chunk.find("Content-Type: ")
        if start >= 0 and "\nSubject: " in chunk[start:]:
            found.append(email.message_from_string(chunk[start:].lstrip()))
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BrandedInstance:
    """The example product installed, seeded and served on a free port."""

    def __init__(self, tmp_path: Path) -> None:
        self.sandbox = GuideSandbox(tmp_path)
        installed = self.sandbox.run(Block(0, "pip install --quiet ./examples/acme-product\n"))
        assert installed.returncode == 0, installed.stdout + installed.stderr
        self.python = str(self.sandbox.venv / "bin" / "python")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "server.log"
        self.server: subprocess.Popen[bytes] | None = None
        self.seed_output = ""
        self.seed: dict[str, list[str]] = {}

    def env(self) -> dict[str, str]:
        env = self.sandbox.env()
        env.update({"PYTHONPATH": str(ROOT), "ANNEAL_BASE_URL": self.url, "PYTHONUNBUFFERED": "1",
                    "ANNEAL_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"})
        return env

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The product's command (``python -m core.cli``, which is what the ``acme`` script runs)."""
        return subprocess.run([self.python, "-m", "core.cli", *args], env=self.env(), cwd=self.sandbox.work,
                              capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        seed_file = self.sandbox.work / "seed.json"
        seeded = subprocess.run([self.python, "-m", "tests.vendor.branded_instance", str(seed_file)], env=self.env(),
                                cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        self.seed_output = seeded.stdout
        self.seed = json.loads(seed_file.read_text())
        self.server = subprocess.Popen([self.python, "-m", "core.cli", "run", f"127.0.0.1:{self.port}"],
                                       env=self.env(), cwd=self.sandbox.work, stdout=self.log.open("wb"),
                                       stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.server.poll() is None, self.server_output()
            try:
                with urllib.request.urlopen(f"{self.url}/sign-in/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"the branded instance did not answer in 60 s:\n{self.server_output()}")

    def server_output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.server.kill()


def seed(seed_file: Path) -> None:
    """Migrate, then a staff owner, an organization with a project, members, an invitation, a token.

    Run in the instance's environment: the invitation and a second-factor notice are e-mailed
    (printed) here. Writes the pages to visit to ``seed_file``.
    """
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", interactive=False, verbosity=0)
    from core.mfa.notifications import factor_changed
    from core.models import Membership, Organization, Project, User
    from core.services.invitations import invite
    from core.services.tokens import create_token
    from tests.web.test_every_page import routed_pages

    staff = User.objects.create_user(STAFF_EMAIL, PASSWORD, name="Olivia Owner", is_staff=True, is_superuser=True)
    organization = Organization.objects.create(name="Rockets Inc", slug="rockets")
    Membership.objects.create(organization=organization, user=staff, role="owner")
    project = Project.objects.create(organization=organization, name="Launch Control", slug="launch-control",
                                     description="Counts down to every launch")
    for role in ("admin", "member", "viewer"):
        member = User.objects.create_user(f"{role}@example.com", PASSWORD, name=f"{role.title()} Person")
        Membership.objects.create(organization=organization, user=member, role=role)
    with transaction.atomic():
        _, invitation_token = invite(organization, "newcomer@example.com", "member", invited_by=staff)
        factor_changed(staff, "An authenticator app was added")
    create_token(staff, "ci-deploy")
    values = {"slug": organization.slug, "organization_slug": organization.slug, "project_slug": project.slug}
    seed_file.write_text(json.dumps({
        "signed_in": ["/", *routed_pages(values)],
        "signed_out": ["/sign-in/", f"/invitations/{invitation_token}/", "/password/reset/"],
    }))


if __name__ == "__main__":
    seed(Path(sys.argv[1]))
