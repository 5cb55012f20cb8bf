"""Load generator, run in its own process: ``python -m bench.load URL TOKEN SECONDS THREADS``.

Each thread sends GET requests one after another on a fresh connection (gunicorn's sync
workers close connections) and counts the 200 responses. Prints ``{"ok": n, "errors": m}``.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def run(url: str, token: str, seconds: float, threads: int) -> dict[str, int]:
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def worker() -> None:
        ok = errors = 0
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                connection.request("GET", parts.path, headers={"Authorization": f"Bearer {token}"})
                response = connection.getresponse()
                response.read()
                ok += response.status == 200
                errors += response.status != 200
            except OSError:
                errors += 1
            finally:
                connection.close()
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts


if __name__ == "__main__":
    url, token, seconds, threads = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(run(url, token, seconds, threads)))
