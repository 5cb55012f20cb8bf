"""Production mode (``ANNEAL_PRODUCTION=1``): what it refuses, what it turns on, and ``check --deploy``.

Each test starts a real process with the environment an operator would set, because settings
are read once when a process starts.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The documented production configuration (docs/deploy/README.md#https-and-production-mode).
PRODUCTION_ENV = {
    "ANNEAL_PRODUCTION": "1",
    "ANNEAL_SECRET_KEY": secrets.token_urlsafe(50),
    "ANNEAL_BASE_URL": "https://anneal.example.com",
    "ANNEAL_ALLOWED_HOSTS": "anneal.example.com,localhost",
    "ANNEAL_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "ANNEAL_EMAIL_HOST": "smtp.example.com",
}


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()  # DJANGO_ALLOW_ASYNC_UNSAFE: set by Playwright's fixtures
                   if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"} and not k.startswith("ANNEAL_")}
    environment.update(DJANGO_SETTINGS_MODULE="core.settings", ANNEAL_DATA_DIR=str(tmp_path))
    environment.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=180)


def settings_of(tmp_path: Path, *names: str, **env: str) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))")
    result = run(["-c", code], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_anneal_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path):
    result = run(["-m", "core.cli", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout  # security.W021, see below


def test_the_only_silenced_deploy_check_is_hsts_preload_and_it_returns_when_preload_is_chosen(tmp_path):
    assert settings_of(tmp_path, "SILENCED_SYSTEM_CHECKS", **PRODUCTION_ENV) == {
        "SILENCED_SYSTEM_CHECKS": ["security.W021"]}
    result = run(["-m", "core.cli", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                 **PRODUCTION_ENV, ANNEAL_HSTS_PRELOAD="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_without_production_mode(tmp_path):
    result = run(["-m", "core.cli", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                 ANNEAL_SECRET_KEY=PRODUCTION_ENV["ANNEAL_SECRET_KEY"])
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize("variable, value, message", [
    ("ANNEAL_DEBUG", "1", "unset ANNEAL_DEBUG in production"),
    ("ANNEAL_BASE_URL", "", "ANNEAL_BASE_URL is not"),
    ("ANNEAL_BASE_URL", "http://anneal.example.com", "is not an https:// origin"),
    ("ANNEAL_BASE_URL", "https://anneal.example.com/anneal", "is not an https:// origin"),
    ("ANNEAL_ALLOWED_HOSTS", "anneal.example.com,testserver", "contains testserver"),
    ("ANNEAL_ALLOWED_HOSTS", "*", "contains *"),
])
def test_production_mode_refuses_to_start_with(tmp_path, variable, value, message):
    env = {**PRODUCTION_ENV, variable: value}
    if not value:
        del env[variable]
    result = run(["-c", "import django; django.setup()"], tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_turns_on_hsts_secure_cookies_and_the_https_redirect(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ANNEAL_ALLOWED_HOSTS"}
    assert settings_of(tmp_path, "ALLOWED_HOSTS", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                       "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
                       "SECURE_PROXY_SSL_HEADER", "DEBUG", **env) == {
        "ALLOWED_HOSTS": ["anneal.example.com"],  # from the base URL: no test host
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": None, "DEBUG": False,
    }


def test_hsts_the_redirect_and_the_proxy_header_are_configurable(tmp_path):
    assert settings_of(tmp_path, "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                       "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", **PRODUCTION_ENV,
                       ANNEAL_HSTS_SECONDS="600", ANNEAL_HSTS_INCLUDE_SUBDOMAINS="0", ANNEAL_HSTS_PRELOAD="1",
                       ANNEAL_SSL_REDIRECT="0", ANNEAL_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto") == {
        "SECURE_HSTS_SECONDS": 600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False, "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": False, "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


RESPONSES = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
client = Client()
plain = client.get("/sign-in/", HTTP_HOST="anneal.example.com")
secure = client.get("/sign-in/", HTTP_HOST="anneal.example.com", secure=True)
proxied = client.get("/sign-in/", HTTP_HOST="anneal.example.com", HTTP_X_FORWARDED_PROTO="https")
probe = client.get("/healthz", HTTP_HOST="localhost")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, secure.get("Strict-Transport-Security"),
               secure.cookies["csrftoken"]["secure"] if "csrftoken" in secure.cookies else None],
    "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security")],
    "probe": [probe.status_code],
}))
"""


def test_a_production_process_redirects_to_https_sends_hsts_and_trusts_the_configured_proxy_header(tmp_path):
    result = run(["-c", RESPONSES], tmp_path, **PRODUCTION_ENV, ANNEAL_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://anneal.example.com/sign-in/"]
    assert seen["secure"] == [200, "max-age=31536000; includeSubDomains", True]
    assert seen["proxied"] == [200, "max-age=31536000; includeSubDomains"]
    assert seen["probe"] == [200]  # health probes speak plain HTTP and are not redirected


def test_without_the_proxy_setting_a_forwarded_proto_header_is_not_believed(tmp_path):
    result = run(["-c", RESPONSES], tmp_path, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["proxied"][0] == 301


def test_anneal_doctor_warns_when_production_would_write_reset_links_to_the_log(tmp_path):
    env = {**PRODUCTION_ENV, "ANNEAL_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    out = run(["-m", "core.cli", "doctor"], tmp_path, **env).stdout
    line = next(line for line in out.splitlines() if " email " in line)
    assert line.startswith("FAIL") and "password reset and invitation links would go to the log" in line
    assert "-> Set ANNEAL_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in out
    quiet = run(["-m", "core.cli", "doctor"], tmp_path, **PRODUCTION_ENV).stdout
    assert next(line for line in quiet.splitlines() if " email " in line).startswith("ok")


@pytest.mark.django_db
def test_the_system_page_warns_when_production_emails_do_not_leave_the_server(settings, web_client_for, make_user):
    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    row = page.split('<tr data-check="email">', 1)[1].split("</tr>", 1)[0]
    assert "failed" in row and "password reset and invitation links would go to the log" in row
    assert "ANNEAL_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in row


@pytest.mark.parametrize("backend", [
    "django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend", "django.core.mail.backends.dummy.EmailBackend",
])
def test_every_backend_that_sends_nothing_fails_the_email_check_in_production_only(settings, backend):
    from core.builtin.health import check_email

    settings.EMAIL_BACKEND = backend
    settings.PRODUCTION = False
    assert check_email().ok
    settings.PRODUCTION = True
    assert not check_email().ok
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert check_email().ok
