"""Nothing in the core, the enterprise package or the bundled plugins connects around core.outbound."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "core", ROOT / "enterprise" / "anneal_enterprise", *sorted(ROOT.glob("plugins/*/anneal_*"))]
BYPASS = re.compile(r"^\s*(import (requests|urllib3|httpx|urllib\.request|http\.client|smtplib)\b"
                    r"|from (requests|urllib3|httpx|urllib\.request|http\.client)\b"
                    r"|.*\bsocket\.(create_connection|socket)\(|.*\bPyJWKClient\b)", re.M)


def test_every_server_side_connection_goes_through_core_outbound():
    offenders = []
    for source in SOURCES:
        for path in source.rglob("*.py"):
            if path.relative_to(ROOT).parts[:2] in {("core", "outbound"), ("core", "testing")} or "/tests/" in str(path):
                continue
            for match in BYPASS.finditer(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert offenders == []
