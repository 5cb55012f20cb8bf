"""gunicorn settings for Anneal's web process, read from the environment.

ANNEAL_PORT            port to listen on (default 8000; ignored when --bind is given)
ANNEAL_WEB_WORKERS     worker processes (default 2; about 2 per CPU core)
ANNEAL_WEB_THREADS     threads per worker process (default 4)
ANNEAL_WEB_TIMEOUT     seconds before a stuck request's worker is restarted (default 60)
ANNEAL_FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-* headers (default 127.0.0.1)
"""

import os

bind = [f"0.0.0.0:{os.environ.get('ANNEAL_PORT', '8000')}"]
workers = int(os.environ.get("ANNEAL_WEB_WORKERS", "2"))
threads = int(os.environ.get("ANNEAL_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("ANNEAL_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("ANNEAL_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
