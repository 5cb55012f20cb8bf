"""Load generator, run in its own process: ``python -m bench.load URL[,URL...] TOKEN[,TOKEN...] SECONDS THREADS``.

Each thread sends GET requests one after another on a fresh connection (gunicorn's sync
workers close connections) and counts the 200 responses. Prints ``{"ok": n, "errors": m}``.
Given several URLs (comma-separated), each thread sends its requests to them in turn, so every
server is loaded at the same moments under the same machine conditions, and the counts of each
URL are printed as well: ``"per_url": [{"ok": n, "errors": m}, ...]``. One token serves every URL,
or give one per URL.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def run(urls: list[str], tokens: list[str], seconds: float, threads: int) -> dict[str, object]:
    targets = [urlsplit(url) for url in urls]
    if len(tokens) == 1:
        tokens = tokens * len(targets)
    if len(tokens) != len(targets):
        raise SystemExit(f"{len(urls)} URLs but {len(tokens)} tokens: give one token, or one per URL.")
    deadline = time.monotonic() + seconds
    per_url = [{"ok": 0, "errors": 0} for _ in targets]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        ok = [0] * len(targets)
        errors = [0] * len(targets)
        turn = offset
        while time.monotonic() < deadline:
            index = turn % len(targets)
            turn += 1
            parts = targets[index]
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                connection.request("GET", parts.path, headers={"Authorization": f"Bearer {tokens[index]}"})
                response = connection.getresponse()
                response.read()
                ok[index] += response.status == 200
                errors[index] += response.status != 200
            except OSError:
                errors[index] += 1
            finally:
                connection.close()
        with lock:
            for index, counts in enumerate(per_url):
                counts["ok"] += ok[index]
                counts["errors"] += errors[index]

    pool = [threading.Thread(target=worker, args=(number,)) for number in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result: dict[str, object] = {"ok": sum(c["ok"] for c in per_url), "errors": sum(c["errors"] for c in per_url)}
    if len(targets) > 1:
        result["per_url"] = per_url
    return result


if __name__ == "__main__":
    urls, tokens, seconds, threads = sys.argv[1].split(","), sys.argv[2].split(","), float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(run(urls, tokens, seconds, threads)))
