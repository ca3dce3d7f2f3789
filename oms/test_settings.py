"""Settings for the test suite: real PostgreSQL and Redis at 127.0.0.1 unless the environment says otherwise."""

import os

os.environ.setdefault("OKNO_PROFILE", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okno")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from oms.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "ru"
DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
OKNO_PUSH_ON_COMMIT = False
