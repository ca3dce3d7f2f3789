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

# Each test process gets its own Redis key space: a key left by an earlier run (a coalescing marker, a rate-limit
# bucket) must never leak into this one.
import uuid  # noqa: E402

OKNO_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
CACHES["default"]["KEY_PREFIX"] = OKNO_REDIS_PREFIX  # noqa: F405

# Tests push directly and expect every change at once; the delay for increases has its own test.
OKNO_PUSH_INCREASE_DELAY_S = 0.0

# The few tests that run a real worker send tasks through Redis: under this process's prefix, never another's.
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"{OKNO_REDIS_PREFIX}:"}  # noqa: F405
