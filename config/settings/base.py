"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from config.settings.environment import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("MPS_DATA_DIR", str(BASE_DIR / "data")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mps.core",
    "mps.geography",
    "mps.accounts",
    "mps.access",
    "mps.audit",
    "mps.registry",
    "mps.assessment",
    "mps.census",
    "mps.cases",
    "mps.moves",
    "mps.monitoring",
    "mps.sync",
    "mps.planning",
    "mps.demo",
    "mps.privacy",
    "mps.security",
    "mps.web",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "mps.security.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mps.web.middleware.SlidingSessionMiddleware",
    "mps.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mps.web.middleware.LoginRequiredMiddleware",
    "mps.security.middleware.SecondFactorRequiredMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged on the request into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "mps.web.menu.main_menu",
            ],
        },
    },
]


def _database_from_environment() -> dict[str, object]:
    """SQLite in the data folder unless DATABASE_URL names another database."""
    url = env_str("DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'mps.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the dev server read while a command writes; IMMEDIATE avoids "database is locked"
        # on write transactions that start as reads.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database_from_environment()}
# A read replica for the dashboards (decision 0010): set DATABASE_REPLICA_URL to a streaming replica of default.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **dict(dj_database_url.parse(env_str("DATABASE_REPLICA_URL", ""), conn_max_age=60)),
        "TEST": {"MIRROR": "default"},
    }
MPS_READ_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["mps.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The lockout check comes first, so a locked-out account is refused even with the right password.
AUTHENTICATION_BACKENDS = [
    "mps.security.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A tablet left unattended in a village logs itself out: sessions end after 8 idle hours (one working day).
SESSION_COOKIE_AGE = int(env_str("MPS_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = False  # mps.web.middleware.SlidingSessionMiddleware refreshes it every 5 minutes
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Romanian")), ("en", _("English"))]
# Our catalogues outrank Django's own (whose contrib apps come first in INSTALLED_APPS and would otherwise
# win for common words such as "Search"), so each app's wording is the one users see.
LOCALE_PATHS = [BASE_DIR / "locale", *sorted((BASE_DIR / "mps").glob("*/locale"))]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security (mps/security/README.md). Lockout: 5 failures lock the username and the address for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=int(env_str("MPS_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not prolong it: the user knows when to try again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "mps.security.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Behind a reverse proxy the client's address is the last one the proxy adds (MPS_PROXY_COUNT proxies).
AXES_IPWARE_PROXY_COUNT = int(env_str("MPS_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Second factor for every role that sees person data; production turns it on (config.settings.prod).
MPS_REQUIRE_MFA = env_bool("MPS_REQUIRE_MFA", False)
OTP_TOTP_ISSUER = env_str("MPS_OTP_ISSUER", "MPS")
# Passkeys (WebAuthn) as the second factor, after the password and never instead of it (mps/security/passkeys.py).
# A passkey is bound to the relying party id, the site's domain: empty means the host the request came to
# (dev, test); production reads it from the environment. Changing it later orphans every passkey.
MPS_WEBAUTHN_RP_ID = env_str("MPS_WEBAUTHN_RP_ID", "")
MPS_WEBAUTHN_RP_NAME = env_str("MPS_WEBAUTHN_RP_NAME", OTP_TOTP_ISSUER)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID_CALLABLE = "mps.security.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME_CALLABLE = "mps.security.passkeys.relying_party_name"
OTP_WEBAUTHN_HELPER_CLASS = "mps.security.passkeys.PasskeyHelper"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "MPS_WEBAUTHN_ORIGINS", [f"https://{MPS_WEBAUTHN_RP_ID}"] if MPS_WEBAUTHN_RP_ID else []
)
# Without a relying party id the origin is the request's own (PasskeyHelper), so the library's check for a
# configured list of origins does not apply.
SILENCED_SYSTEM_CHECKS = [] if OTP_WEBAUTHN_ALLOWED_ORIGINS else ["otp_webauthn.E030"]

# Content-Security-Policy: scripts only from the platform's own files (no inline script, no eval); inline styles
# stay allowed for the charts' and maps' computed positions. A map tile server, when set, may serve images.
MPS_MAP_TILES_URL = env_str("MPS_MAP_TILES_URL", "")
MPS_MAP_TILES_ATTRIBUTION = env_str("MPS_MAP_TILES_ATTRIBUTION", "")
_tiles = urlsplit(MPS_MAP_TILES_URL.replace("{s}", "*"))  # Leaflet's {s} is a subdomain: a CSP wildcard
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *([f"{_tiles.scheme}://{_tiles.netloc}"] if _tiles.netloc else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Device features pages may use: the position (household and census forms), and nothing else.
MPS_PERMISSIONS_POLICY = {
    "geolocation": "(self)",
    "camera": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
    "interest-cohort": "()",
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The key of the CNP's pseudonym in person-level exports (mps.core.pseudonym); production requires a real one.
MPS_PSEUDONYM_KEY = env_str("MPS_PSEUDONYM_KEY", "dev-only-pseudonym-key-not-secret")
# Years a closed case's records are kept before an erasure request may anonymise them (mps/privacy/README.md).
MPS_RECORD_RETENTION_YEARS = int(env_str("MPS_RECORD_RETENTION_YEARS", "5"))

# Aggregates with fewer units than this are suppressed for users who may not see cases.
MPS_SMALL_CELL_THRESHOLD = int(env_str("MPS_SMALL_CELL_THRESHOLD", "5"))

# Seconds the monitoring worker's heartbeat may be old before /health/ reports it stalled.
MPS_HEALTH_WORKER_MAX_AGE = float(env_str("MPS_HEALTH_WORKER_MAX_AGE", "120"))

# MPS_LOG_FORMAT=json writes one JSON object per line (time, level, logger, message and any extra fields), which
# journald, Loki or Elasticsearch index without parsing rules; production defaults to it.
LOG_FORMAT = env_str("MPS_LOG_FORMAT", "text")


def logging_config(log_format: str, worker_level: str = "WARNING") -> dict[str, Any]:
    """Return the LOGGING setting that writes every log line in ``log_format`` ("text" or "json").

    The monitoring worker logs each run at INFO: wanted in a deployment's journal, noise beside `make run`.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "process": "pid",
                },
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": env_str("MPS_LOG_LEVEL", "WARNING")},
        "loggers": {"mps.monitoring.worker": {"level": env_str("MPS_WORKER_LOG_LEVEL", worker_level)}},
    }


LOGGING = logging_config(LOG_FORMAT)
