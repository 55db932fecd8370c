"""The test suite: fast hashing, in-memory-friendly settings; the database still comes from DATABASE_URL."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

# A second alias, as a deployment with a read replica has, mirroring default so that it reads the test
# database. Routing to it stays off (MPS_READ_REPLICA) except in the tests of the router (decision 0010).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
MPS_READ_REPLICA = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
