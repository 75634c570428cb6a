"""CBM Hub settings: one module, driven by environment variables.

Every setting that differs between a laptop and production is read from the environment;
the defaults are the safe embedded ones (SQLite, console e-mail). Secrets have a development
default only when ``CBMHUB_DEBUG`` is on. See README.md, "Configuration".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cbmhub.accounts.network import parse_trusted_proxies

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment; anything but a true/false word stops start-up.

    A typo must never read as "off": ``CBMHUB_REQUIRE_2FA=ture`` would silently turn two-factor
    authentication off, so it is an error naming the variable instead.
    """
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of "
        f"{', '.join(sorted(_TRUE_WORDS))} or {', '.join(sorted(w for w in _FALSE_WORDS if w))}."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CBMHUB_DATA_DIR", BASE_DIR.parent / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("CBMHUB_DEBUG")
# Set by the test runner only (cbmhub/settings_test.py, scripts/test.sh): development defaults
# apply and tests set what they need themselves. Merely having pytest installed changes nothing.
TESTING = env_bool("CBMHUB_TESTING")
# Demo mode: seeded demo logins work without a second factor. Never on in production.
DEMO_MODE = env_bool("CBMHUB_DEMO_MODE")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE or TESTING or env_bool("CBMHUB_OFFLINE_COMMAND"):
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment "
            "(or set CBMHUB_DEBUG=1 for development)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or DEMO_MODE else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # CBM Hub's own apps, lowest layer first (docs/architecture.md; lint-imports enforces it).
    "cbmhub.core",
    "cbmhub.directory",
    "cbmhub.accounts",
    "cbmhub.hotline",
    "cbmhub.negotiations",
    "cbmhub.exchange",
    "cbmhub.precedent",
    "cbmhub.measures",
    "cbmhub.meetings",
    "cbmhub.exercises",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cbmhub.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cbmhub.core.middleware.UserTimezoneMiddleware",
    "cbmhub.core.middleware.MethodNotAllowedPageMiddleware",
    "cbmhub.core.middleware.BusyDatabaseMiddleware",
    "cbmhub.core.query_parameters.KnownQueryParametersMiddleware",
    # Last, so that it sees every failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cbmhub.urls"
WSGI_APPLICATION = "cbmhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cbmhub.core.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL is selected by DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections in production; none under tests (live servers close cleanly).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {})
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "cbmhub.sqlite3"),
            "OPTIONS": {},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
            # BEGIN so that two writers queue (busy_timeout) instead of failing on upgrade.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            # Seconds a writer waits for the lock before "database is locked" (the hotline
            # worker survives that error and retries; its tests shorten the wait).
            "timeout": float(os.environ.get("CBMHUB_SQLITE_TIMEOUT", "20")),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-factor authentication is required for secretariat officers and focal points,
# except in demo mode (see accounts.middleware).
CBMHUB_REQUIRE_2FA = env_bool("CBMHUB_REQUIRE_2FA", default=not DEMO_MODE)
OTP_TOTP_ISSUER = "CBM Hub"

# Failed sign-ins (django-axes; the policy is in accounts/lockout.py): a username is locked
# after N failures *from one address* (the pair), so that failures on other usernames lock no
# one else out; an address is rate-limited across usernames (credential stuffing) without
# stopping accounts that signed in from that browser before.
AXES_FAILURE_LIMIT = int(os.environ.get("CBMHUB_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("CBMHUB_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "cbmhub.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "cbmhub.accounts.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
# A refused attempt is not counted again: it would stretch the lock, and for the address
# limit it would count against the pair of someone who typed the right password.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
CBMHUB_LOGIN_ADDRESS_LIMIT = int(os.environ.get("CBMHUB_LOGIN_ADDRESS_LIMIT", "30"))
# The reverse proxies in front of the app whose X-Forwarded-For is believed: a number ("1"
# for one TLS proxy) or their addresses/networks ("10.0.0.5,192.168.0.0/24"). Empty: none,
# the peer address is the client (see accounts/network.py).
try:
    CBMHUB_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("CBMHUB_TRUSTED_PROXIES", ""))
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("zh-hans", _("Chinese")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("kk", _("Kazakh")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR.parent / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE or TESTING

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CBM Hub <noreply@cbmhub.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (Django Tasks API, database backend: no broker) -------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("CBMHUB_TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cbmhub.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "cbmhub.core.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cbmhub.core.pagination.StrictLimitOffsetPagination",
    # JSON bodies, parsed within bounds (depth, number length): cbmhub/core/parsers.py. Only
    # the views that take files also take multipart (and list their parsers themselves).
    "DEFAULT_PARSER_CLASSES": ["cbmhub.core.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",  # APIClient sends what the API takes by default
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "cbmhub.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CBM Hub API",
    "DESCRIPTION": (
        "Directory, hotline and negotiations of CBM Hub. Authenticate with "
        "`Authorization: Token <key>`. Every error has the shape "
        '`{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field called "kind"; name each enum after its choices class.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "cbmhub.directory.choices.OrganisationKind",
        "BodyKindEnum": "cbmhub.directory.choices.BodyKind",
        "ContactChannelKindEnum": "cbmhub.directory.choices.ChannelKind",
        "MessageKindEnum": "cbmhub.hotline.choices.MessageKind",
        "RevisionKindEnum": "cbmhub.negotiations.choices.RevisionKind",
        "DeliveryKindEnum": "cbmhub.hotline.choices.DeliveryKind",
        "EventKindEnum": "cbmhub.hotline.choices.EventKind",
        "MeetingKindEnum": "cbmhub.meetings.choices.MeetingKind",
        "MeetingStatusEnum": "cbmhub.meetings.choices.MeetingStatus",
        "DelegationKindEnum": "cbmhub.meetings.choices.DelegationKind",
        "DelegationStatusEnum": "cbmhub.meetings.choices.DelegationStatus",
        "OutcomeKindEnum": "cbmhub.meetings.choices.OutcomeKind",
        "NoteStatusEnum": "cbmhub.meetings.choices.NoteStatus",
        "VersionStatusEnum": "cbmhub.meetings.choices.VersionStatus",
        "InjectKindEnum": "cbmhub.exercises.choices.InjectKind",
        "ExpectationKindEnum": "cbmhub.exercises.choices.ExpectationKind",
        # measures
        "InitiativeKindEnum": "cbmhub.measures.choices.InitiativeKind",
        "InitiativeStatusEnum": "cbmhub.measures.choices.InitiativeStatus",
        "SubmissionKindEnum": "cbmhub.measures.choices.SubmissionKind",
        "SubmissionStatusEnum": "cbmhub.measures.choices.SubmissionStatus",
        "AlertStatusEnum": "cbmhub.measures.choices.AlertStatus",
        "ArrangementKindEnum": "cbmhub.exchange.choices.ArrangementKind",
        "ExchangeTlpEnum": "cbmhub.exchange.choices.Tlp",
        "TlpEnum": "cbmhub.hotline.choices.Tlp",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("CBMHUB_HTTPS", default=not (DEBUG or DEMO_MODE or TESTING)):
    SECURE_SSL_REDIRECT = env_bool("CBMHUB_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("CBMHUB_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_error_without_traceback": {"()": "cbmhub.core.logging.ClientErrorWithoutTraceback"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_error_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CBMHUB_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Hotline ----------------------------------------------------------------------------------
# The platform's Ed25519 signing key (PEM, PKCS#8) for the tamper-evident record. In production
# set CBMHUB_SIGNING_KEY_FILE; otherwise a key is generated once under DATA_DIR.
CBMHUB_SIGNING_KEY_FILE = Path(
    os.environ.get("CBMHUB_SIGNING_KEY_FILE", DATA_DIR / "signing-key.pem")
)
CBMHUB_WEBHOOK_TIMEOUT = float(os.environ.get("CBMHUB_WEBHOOK_TIMEOUT", "10"))

# The precedent search index, saved by `cbmhub precedent index` (and by the first search after
# texts change) and read by every process instead of building it (cbmhub/precedent/selectors.py).
PRECEDENT_INDEX_DIR = Path(os.environ.get("CBMHUB_PRECEDENT_INDEX_DIR", DATA_DIR / "precedent"))
