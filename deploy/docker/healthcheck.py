"""The image's HEALTHCHECK: the web process answers ``/healthz``.

Worker, beat and migrate containers do not serve HTTP: compose and Kubernetes give them their
own checks (see ``deploy/compose/docker-compose.yml``), so this script is for the web process.
"""

import os
import sys
import urllib.request

url = os.environ.get("ANNEAL_HEALTHCHECK_URL", f"http://127.0.0.1:{os.environ.get('ANNEAL_PORT', '8000')}/healthz")
# Host: localhost, like the Helm chart's probes: keep localhost in ANNEAL_ALLOWED_HOSTS.
request = urllib.request.Request(url, headers={"Host": os.environ.get("ANNEAL_HEALTHCHECK_HOST", "localhost")})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (a fixed local URL)
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
