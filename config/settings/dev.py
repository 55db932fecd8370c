"""Local development: the embedded SQLite database unless DATABASE_URL says otherwise."""

from config.settings.base import *  # noqa: F403
from config.settings.environment import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
