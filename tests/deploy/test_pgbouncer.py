"""Anneal behind PgBouncer in transaction pooling mode, with the settings docs/deploy/scaling.md
gives (ANNEAL_DB_DISABLE_SERVER_SIDE_CURSORS=true): chunked iterators, row locks in
transactions and concurrent writes from several threads all work. Services mode only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT, child_environment, wait_for

pytestmark = pytest.mark.services

WORKLOAD = Path(__file__).resolve().parent / "scaleout" / "pgbouncer_workload.py"


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if found is None:
        pytest.fail("pgbouncer is not installed; `./dev test` installs it (apt-get install pgbouncer).")
    return found


def free_port() -> int:
    # PgBouncer takes a port number, not a socket: pick a free one just before it starts.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def pgbouncer_url(transactional_db: None) -> Iterator[str]:
    """A PgBouncer in transaction mode in front of the test database, pool of 2 server connections."""
    from django.db import connection

    database = connection.settings_dict
    workdir = Path(tempfile.mkdtemp(prefix="anneal-pgbouncer-"))
    workdir.chmod(0o755)  # PgBouncer refuses root; run as the postgres user, who must read this
    port = free_port()
    (workdir / "users.txt").write_text(f'"{database["USER"]}" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {workdir / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    for path in workdir.iterdir():
        path.chmod(0o644)
    command = [pgbouncer_binary(), str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: accepts(port) or process.poll() is not None, timeout=20)
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        yield f"postgres://{database['USER']}@127.0.0.1:{port}/{database['NAME']}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def run_workload(pgbouncer_url: str, disable_server_side_cursors: str) -> subprocess.CompletedProcess:
    env = child_environment(
        DATABASE_URL=pgbouncer_url, ANNEAL_DB_CONN_MAX_AGE="60",
        ANNEAL_DB_DISABLE_SERVER_SIDE_CURSORS=disable_server_side_cursors,
    )
    return subprocess.run([sys.executable, str(WORKLOAD)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


def test_anneal_works_through_pgbouncer_in_transaction_mode_with_the_documented_settings(pgbouncer_url: str) -> None:
    result = run_workload(pgbouncer_url, disable_server_side_cursors="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: 6 organizations renamed" in result.stdout


def test_without_disabling_server_side_cursors_chunked_reads_break_in_transaction_mode(pgbouncer_url: str) -> None:
    """Why the setting is documented: six threads share two server connections, and a cursor
    declared on one is fetched from on another."""
    result = run_workload(pgbouncer_url, disable_server_side_cursors="false")
    assert result.returncode != 0
    assert "does not exist" in result.stderr
