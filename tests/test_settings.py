"""Settings from the environment: production safety, embedded default, logging."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_production_mode_refuses_the_default_secret_key(tmp_path):
    result = run_python("import django; django.setup()", DJANGO_SETTINGS_MODULE="core.settings",
                        ANNEAL_PRODUCTION="1", ANNEAL_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ANNEAL_SECRET_KEY" in result.stderr


def test_with_nothing_configured_anneal_uses_sqlite_and_in_process_jobs(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.PASSWORD_HASHERS[0])"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="core.settings", ANNEAL_DATA_DIR=str(tmp_path))
    assert result.stdout.split() == [
        "django.db.backends.sqlite3", "True", "django.contrib.auth.hashers.Argon2PasswordHasher"
    ]


def test_database_and_redis_urls_switch_to_postgresql_and_real_workers(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="core.settings", ANNEAL_DATA_DIR=str(tmp_path),
                        DATABASE_URL="postgres://u@db:5432/anneal", REDIS_URL="redis://cache:6379/0")
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "redis://cache:6379/0"]


def test_json_log_lines_carry_the_request_id():
    from core.events.context import RequestInfo, request_context
    from core.logging import JsonFormatter, RequestIdFilter

    record = logging.LogRecord("anneal.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    with request_context(RequestInfo(request_id="abc123")):
        RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world"
    assert line["request_id"] == "abc123"
    assert line["level"] == "info"
