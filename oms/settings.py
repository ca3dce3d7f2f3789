"""Okno settings, read from the environment.

Production is the default: it refuses to start without ``OKNO_SECRET_KEY``, ``OKNO_ENCRYPTION_KEY`` and
``DATABASE_URL``. ``OKNO_PROFILE=dev`` (what ``make demo`` sets) fills them with local development values:
an embedded SQLite database and a filesystem Celery broker, so nothing but Python is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PROFILE = env("OKNO_PROFILE", "production")
DEV = PROFILE in {"dev", "test"}
DEBUG = env_bool("DEBUG", default=PROFILE == "dev")

# Development-only values: they make the demo start with nothing configured. Never used in production.
_DEV_SECRET_KEY = "okno-dev-insecure-secret-key-do-not-use-in-production"
_DEV_ENCRYPTION_KEY = "a1bZ8tq0mP3cK5dR7vX9yW2eF4gH6jL8nQ0sU2wY4z0="
VAR_DIR = Path(env("OKNO_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")


def _required(name: str, dev_default: str) -> str:
    value = env(name)
    if value:
        return value
    if DEV:
        return dev_default
    raise ImproperlyConfigured(f"{name} is not set. Set it in the environment (or OKNO_PROFILE=dev for local development).")


SECRET_KEY = _required("OKNO_SECRET_KEY", _DEV_SECRET_KEY)
OKNO_ENCRYPTION_KEY = _required("OKNO_ENCRYPTION_KEY", _DEV_ENCRYPTION_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEV else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN needed
    "django_htmx",
    "oms",
    "catalog",
    "inventory",
    "orders",
    "returns",
    "feedback",
    "analytics",
    "connectors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oms.middleware.ActiveOrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"
ASGI_APPLICATION = "oms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "oms.context_processors.organization",
            ],
        },
    },
]

_default_database = f"sqlite:///{VAR_DIR / 'okno.sqlite3'}" if DEV else None
_database_url = env("DATABASE_URL", _default_database)
if not _database_url:
    raise ImproperlyConfigured("DATABASE_URL is not set (e.g. postgres://user:pass@host:5432/okno).")
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=int(env("DB_CONN_MAX_AGE", "60") or 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Embedded demo database: WAL lets the web server, worker and scheduler read while one writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "oms.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Stored in UTC; shown in Moscow time; Russian first, English available.
USE_TZ = True
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]


STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "oms" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("OKNO_MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEV and not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0") or 0)

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    }

# Celery: Redis when configured, otherwise (demo) a broker in local files so worker and beat still run.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT = "oms.filebroker:Transport"  # kombu's, with messages written atomically
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),  # kombu's default is ./control in the working dir
        "store_processed": False,
    }
    if CELERY_BROKER_URL == "filesystem://"
    else {"visibility_timeout": 3600}
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A committed stock change wakes the push dispatcher at once (tests switch it on only where they test the pipeline).
OKNO_PUSH_ON_COMMIT = env_bool("OKNO_PUSH_ON_COMMIT", True)
# Stock pushes (connectors.tasks.request_push, connectors.push): a connection sends at most one stock request per
# OKNO_PUSH_INTERVAL_S (changes meanwhile share the next one) — a little under the one-second polling round, so that
# each round's sales go out right after it rather than on a beat of their own. A push waits OKNO_PUSH_COALESCE_S for
# changes arriving together and, at most OKNO_PUSH_ROUND_WAIT_S, for its organization's order polls in flight.
# Quantities that only go up may wait OKNO_PUSH_INCREASE_DELAY_S for a request going anyway. Units a fast seller is
# likely to sell before Okno's next update lands are held back with OKNO_HOLD_BACK_CONFIDENCE (0: none held back).
OKNO_PUSH_INTERVAL_S = float(env("OKNO_PUSH_INTERVAL_S", "0.8") or 0.8)
OKNO_PUSH_COALESCE_S = float(env("OKNO_PUSH_COALESCE_S", "0.05") or 0.0)
OKNO_PUSH_ROUND_WAIT_S = float(env("OKNO_PUSH_ROUND_WAIT_S", "0.5") or 0.0)
OKNO_PUSH_INCREASE_DELAY_S = float(env("OKNO_PUSH_INCREASE_DELAY_S", "5") or 0.0)
OKNO_HOLD_BACK_CONFIDENCE = float(env("OKNO_HOLD_BACK_CONFIDENCE", "0.95") or 0.0)

# Outgoing e-mail (the daily claims digest). Development prints messages to the console; production sends by SMTP.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEV else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Okno <noreply@okno.local>")
# Where e-mails link to (e.g. https://okno.example.com); empty: e-mails name the screen instead of linking.
OKNO_SITE_URL = env("OKNO_SITE_URL", "http://localhost:8000" if DEV else "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["oms.api.permissions.IsOrganizationMember"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "oms.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "oms.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Okno OMS API",
    "DESCRIPTION": "Orders, stock, catalogue and marketplace connections of one seller organization.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Schema introspection runs with no organization in scope; it only builds empty querysets (``.none()``).
    "DEFAULT_QUERY_MANAGER": "all_tenants",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags operations by resource (products, orders…), not by "v1"
    # Several models have a ``status``/``kind``: name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "catalog.choices.ListingStatus",
        "OrderStatusEnum": "orders.choices.OrderStatus",
        "ConnectionStatusEnum": "connectors.choices.ConnectionStatus",
        "MovementKindEnum": "inventory.choices.MovementKind",
        "WarehouseKindEnum": "inventory.choices.WarehouseKind",
        "ReturnStatusEnum": "returns.choices.ReturnStatus",
        "ReturnKindEnum": "returns.choices.ReturnKind",
        "ClaimStatusEnum": "returns.choices.ClaimStatus",
        "InspectionOutcomeEnum": "returns.choices.InspectionOutcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
