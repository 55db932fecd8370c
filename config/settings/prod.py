"""Production: PostgreSQL, a real secret key and HTTPS are required."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALLOWED_HOSTS,
    DATABASES,
    MIDDLEWARE,
    MPS_PSEUDONYM_KEY,
    SECRET_KEY,
    logging_config,
)
from config.settings.environment import env_bool, env_list, env_str

if SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
if MPS_PSEUDONYM_KEY.startswith("dev-only"):
    raise ImproperlyConfigured(
        "MPS_PSEUDONYM_KEY must be set in production (the key of the CNP's pseudonym)."
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("MPS_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading (browsers that never try plain HTTP) is a commitment for the whole domain: on unless turned off.
SECURE_HSTS_PRELOAD = env_bool("MPS_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# The second factor is required in production for every role that sees person data (mps/security).
MPS_REQUIRE_MFA = env_bool("MPS_REQUIRE_MFA", True)
# Passkeys belong to one domain: MPS_WEBAUTHN_RP_ID, else the site's first allowed host; served over HTTPS.
MPS_WEBAUTHN_RP_ID = env_str("MPS_WEBAUTHN_RP_ID", ALLOWED_HOSTS[0].lstrip("."))
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("MPS_WEBAUTHN_ORIGINS", [f"https://{MPS_WEBAUTHN_RP_ID}"])
SILENCED_SYSTEM_CHECKS = []

# Static files from the application server itself, compressed and cached forever by their hashed names, so that
# a county's deployment needs no separate web server for them (dev's runserver serves them from the apps).
MIDDLEWARE = [*MIDDLEWARE[:1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
# Hashed, compressed static files (collectstatic writes them; WhiteNoise serves them with a year's cache).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "mps.web.storage.StaticFilesStorage"},
}
LOGGING = logging_config(env_str("MPS_LOG_FORMAT", "json"), worker_level="INFO")
