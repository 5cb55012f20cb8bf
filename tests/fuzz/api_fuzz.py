"""Drive every API operation from the OpenAPI schema with Schemathesis, as an owner, a viewer and
instance staff.

    pip install schemathesis==4.32.5          # not a dependency of Anneal; any virtualenv
    python tests/fuzz/api_fuzz.py [--st PATH_TO_st] [--max-examples N] [--port N]

Serves a throw-away instance (SQLite in a temporary directory, or ``DATABASE_URL``/``REDIS_URL``
when set: use an empty database) with ``anneal run``, creates an organization with an owner and a
viewer, and a staff user, holding API tokens, and runs ``st run`` with the conformance checks (``--checks``) once per role. It exits non-zero
when Schemathesis finds a failure and prints each run's summary line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "response_headers_conformance,unsupported_method,allow_header_conformance,missing_required_header,"
          "ignored_auth")

SETUP = """
from core.models import Membership, Organization
from core.services.tokens import create_token
from core.services.users import create_user
owner = create_user("owner@example.com", "fuzz-owner-password", name="Owner")
viewer = create_user("viewer@example.com", "fuzz-viewer-password", name="Viewer")
organization = Organization.objects.create(name="Fuzz", slug="fuzz")
Membership.objects.create(organization=organization, user=owner, role="owner")
Membership.objects.create(organization=organization, user=viewer, role="viewer")
staff = create_user("staff@example.com", "fuzz-staff-password", is_staff=True, name="Staff")
print(create_token(owner, "fuzz")[1], create_token(viewer, "fuzz")[1], create_token(staff, "fuzz")[1])
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--st", default=shutil.which("st") or "st")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--checks", default=CHECKS)
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    data = tempfile.mkdtemp(prefix="anneal-fuzz-")
    env = {**os.environ, "ANNEAL_DATA_DIR": data, "ANNEAL_ADMIN_PASSWORD": "fuzz-admin-password",
           "ANNEAL_API_RATE_PER_TOKEN": "", "ANNEAL_API_RATE_PER_ORGANIZATION": "",
           "ANNEAL_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "core.settings"}
    manage = [PYTHON, "-m", "core.cli"]
    subprocess.run([*manage, "run", "--no-serve"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    tokens = subprocess.run([*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    server = subprocess.Popen([*manage, "run", f"127.0.0.1:{args.port}"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=open(Path(data) / "server.log", "w"))
    base = f"http://127.0.0.1:{args.port}"
    failed = False
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        for role, token in zip(("owner", "viewer", "staff"), tokens[-3:]):
            result = subprocess.run(
                [args.st, "--no-color", "run", f"{base}/api/schema/", "--url", base, "--checks", args.checks,
                 "--max-examples", str(args.max_examples), "--seed", args.seed,
                 "--header", f"Authorization: Bearer {token}", "--workers", "2"],
                capture_output=True, text=True, cwd=data)  # Schemathesis keeps its cache in the cwd
            lines = result.stdout.splitlines()
            summary = [line.strip("= ") for line in lines if line.strip().startswith("=") and " in " in line]
            cases = [line.strip() for line in lines if " generated" in line]
            print(f"{role}: {summary[-1] if summary else result.stdout[-2000:]} ({cases[-1] if cases else '?'})")
            if result.returncode != 0:
                failed = True
                print(result.stdout[-20000:])
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
