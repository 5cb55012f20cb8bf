"""Django settings, read from the environment (see docs/configuration.md).

With nothing configured Anneal runs on the embedded default: SQLite in ``ANNEAL_DATA_DIR`` and
Celery tasks run in-process. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL, Redis
and real workers.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core import __version__, product, production
from core.outbound.policy import Allowlist, AllowlistInvalid
from core.plugins import hooks as plugin_hooks
from core.plugins.manager import load_entry_point_plugins


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("ANNEAL_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEFAULT_SECRET_KEY = "anneal-insecure-development-key-change-me"
DEBUG = env_bool("ANNEAL_DEBUG", False)
PRODUCTION = env_bool("ANNEAL_PRODUCTION", False)
SECRET_KEY = env("ANNEAL_SECRET_KEY", DEFAULT_SECRET_KEY)
# Previous keys, still accepted for signatures and for reading secrets encrypted at rest (core.secrets).
SECRET_KEY_FALLBACKS = env_list("ANNEAL_SECRET_KEY_FALLBACKS")
if PRODUCTION and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "ANNEAL_PRODUCTION is set but ANNEAL_SECRET_KEY is the built-in development key. "
        "Set ANNEAL_SECRET_KEY to a long random value, for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "ANNEAL_PRODUCTION and ANNEAL_DEBUG are both set. Debug pages show settings and source code "
        "to anyone who causes an error: unset ANNEAL_DEBUG in production."
    )

# Every absolute URL Anneal sends (emails, links in API answers, SSO metadata) is built from
# BASE_URL by core.links, never from the request's Host header.
# Unset, `anneal run ADDR:PORT` derives it from the address it serves on (core.links.adopt_serving_address).
BASE_URL = env("ANNEAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
BASE_URL_SOURCE = "setting" if env("ANNEAL_BASE_URL") else "default"
if PRODUCTION:
    production.require_base_url(env("ANNEAL_BASE_URL"))
ALLOWED_HOSTS = env_list(
    "ANNEAL_ALLOWED_HOSTS", production.host_of(BASE_URL) if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)
if PRODUCTION:
    production.refuse_test_hosts(ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("ANNEAL_CSRF_TRUSTED_ORIGINS", BASE_URL)
# Behind a reverse proxy: the header it appends the client's address to (core.middleware.client_ip).
ANNEAL_CLIENT_IP_HEADER = env("ANNEAL_CLIENT_IP_HEADER")

# --- Plugins, stage one: entry points are imported and may contribute to settings ---------
ANNEAL_PLUGIN_RECORDS = load_entry_point_plugins()
_PRODUCT = product.current()  # Anneal, or the vendor's product a plugin declares (anneal_product)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "core.apps.CoreConfig",
    "core.web.apps.WebConfig",
]
INSTALLED_APPS += [app for app in plugin_hooks.django_apps() if app not in INSTALLED_APPS]

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.web.hostile_input.HostileInputMiddleware",  # before anything reads the request's input
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionPolicyMiddleware",  # after messages: a refusal is shown as a message
    "core.mfa.middleware.EnrollmentRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
MIDDLEWARE += plugin_hooks.middleware()

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTHENTICATION_BACKENDS += plugin_hooks.authentication_backends()
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign_in"
LOGIN_REDIRECT_URL = "web:organizations"
LOGOUT_REDIRECT_URL = "web:sign_in"

ROOT_URLCONF = "core.urls"
FORM_RENDERER = "core.web.forms.AnnealFormRenderer"  # the form component (docs/web-ui.md)
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.web.context.anneal",
            ],
            # The core's tags live in core/web/templatetags, outside an app's templatetags package.
            # They are built in, so every template (a plugin's too) has `|when` for times.
            "builtins": ["core.web.templatetags.anneal"],
        },
    },
]

# --- Database: SQLite by default, anything dj-database-url understands otherwise ----------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("ANNEAL_DB_CONN_MAX_AGE", "60")))}
    # Behind PgBouncer in transaction mode: ANNEAL_DB_CONN_MAX_AGE=0 and this (docs/deploy/scaling.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("ANNEAL_DB_DISABLE_SERVER_SIDE_CURSORS")
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "anneal.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
            # A new SQLite connection parses the whole schema on its first statement (with the
            # enterprise package's tables, about a fifth of an API request's instructions): keep it.
            "CONN_MAX_AGE": int(env("ANNEAL_DB_CONN_MAX_AGE", "60")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and jobs ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.redis_cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("ANNEAL_CELERY_QUEUE", "anneal")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("ANNEAL_CELERY_VISIBILITY_TIMEOUT", "3600"))}
ANNEAL_EMBEDDED_SCHEDULER = env_bool("ANNEAL_EMBEDDED_SCHEDULER", not REDIS_URL)

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = env("ANNEAL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("ANNEAL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("ANNEAL_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("ANNEAL_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("ANNEAL_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("ANNEAL_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("ANNEAL_EMAIL_FROM", f"{_PRODUCT.cli_name}@localhost")

# --- Outbound connections (core.outbound): private destinations the instance admin allows ---
ANNEAL_OUTBOUND_ALLOW = env_list("ANNEAL_OUTBOUND_ALLOW")
try:
    Allowlist.parse(ANNEAL_OUTBOUND_ALLOW)
except AllowlistInvalid as exc:
    raise ImproperlyConfigured(str(exc)) from None

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # JSON only, as the schema says; /api/docs/ is the browsable view of the API
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle",
                                 "core.api.throttling.OrganizationRateThrottle"],
}
ANNEAL_API_RATE_PER_TOKEN = env("ANNEAL_API_RATE_PER_TOKEN", "1200/minute")
ANNEAL_API_RATE_PER_ORGANIZATION = env("ANNEAL_API_RATE_PER_ORGANIZATION", "6000/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Anneal API",
    "VERSION": __version__,
    "DESCRIPTION": "The REST API of Anneal. Authenticate with `Authorization: Bearer <token>`.",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "core.api.schema.blank_strings_are_any_of", "core.api.schema.product_info"],
}

# --- Static files, i18n ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("ANNEAL_STATIC_ROOT", str(DATA_DIR / "static")))
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- HTTPS (docs/deploy/README.md#https-and-production-mode) ---------------------------------
SESSION_COOKIE_SECURE = PRODUCTION or BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("ANNEAL_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes and the container health check speak plain HTTP
SECURE_HSTS_SECONDS = int(env("ANNEAL_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ANNEAL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("ANNEAL_HSTS_PRELOAD", False)
if env("ANNEAL_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = production.proxy_ssl_header(env("ANNEAL_SECURE_PROXY_SSL_HEADER"))
# Asking browsers to preload HSTS binds the whole registrable domain and is slow to undo: a
# decision for the domain's owner (ANNEAL_HSTS_PRELOAD=1), so its deploy check is silenced until then.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_AGE = int(env("ANNEAL_SESSION_AGE", str(14 * 24 * 3600)))

ANNEAL_INVITATION_DAYS = int(env("ANNEAL_INVITATION_DAYS", "7"))

# Password sign-in throttling (core.services.sign_in_throttle).
ANNEAL_SIGN_IN_MAX_FAILURES = int(env("ANNEAL_SIGN_IN_MAX_FAILURES", "5"))
ANNEAL_SIGN_IN_MAX_FAILURES_PER_ADDRESS = int(env("ANNEAL_SIGN_IN_MAX_FAILURES_PER_ADDRESS", "30"))
ANNEAL_SIGN_IN_FAILURE_WINDOW = int(env("ANNEAL_SIGN_IN_FAILURE_WINDOW", "900"))
ANNEAL_SIGN_IN_LOCKOUT = int(env("ANNEAL_SIGN_IN_LOCKOUT", "900"))

# Multi-factor authentication (docs/authentication.md).
ANNEAL_MFA_REQUIRED_FOR_STAFF = env_bool("ANNEAL_MFA_REQUIRED_FOR_STAFF", False)
ANNEAL_MFA_STEP_UP_SECONDS = int(env("ANNEAL_MFA_STEP_UP_SECONDS", "600"))
ANNEAL_MFA_ISSUER = env("ANNEAL_MFA_ISSUER", _PRODUCT.name)
ANNEAL_WEBAUTHN_RP_ID = env("ANNEAL_WEBAUTHN_RP_ID")
ANNEAL_WEBAUTHN_ATTESTATION = env("ANNEAL_WEBAUTHN_ATTESTATION", "none")
if ANNEAL_WEBAUTHN_ATTESTATION not in {"none", "indirect", "direct", "enterprise"}:
    raise ImproperlyConfigured("ANNEAL_WEBAUTHN_ATTESTATION must be one of none, indirect, direct, enterprise.")

# --- Logging ----------------------------------------------------------------------------
LOG_FORMAT = env("ANNEAL_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
        "recent": {"class": "core.logbuffer.RecentLogHandler", "filters": ["request_id"], "formatter": "text"},
    },
    "root": {"handlers": ["console", "recent"], "level": env("ANNEAL_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Plugins: defaults for settings they read; anything defined above wins ----------------
for _name, _value in plugin_hooks.settings_defaults().items():
    globals().setdefault(_name, _value)
