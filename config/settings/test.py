"""The test suite: fast hashing, in-memory-friendly settings; the database still comes from DATABASE_URL."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
