"""Tests: PostgreSQL and Redis when configured or reachable on their default local ports."""

import hashlib
import os
import socket

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
DEBUG = False
if "DATABASE_URL" not in os.environ and _reachable(5432):
    DATABASES["default"] = env.db_url_config("postgres://postgres@127.0.0.1:5432/opsdesk")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# One test database per checkout, so two clones on one machine never collide.
_checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
DATABASES["default"]["TEST"] = {
    "NAME": os.environ.get("TEST_DB_NAME") or f"test_opsdesk_{_checkout}"
}
# Integration tests start a real worker on this broker (see tests/integration).
TEST_REDIS_URL = os.environ.get("REDIS_URL") or (
    "redis://127.0.0.1:6379/15" if _reachable(6379) else ""
)
# Unit tests run tasks in-process; integration tests use TEST_REDIS_URL explicitly.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
if os.environ.get("OPSDESK_TEST_WORKER") == "1" and TEST_REDIS_URL:
    # The real worker that tests/integration starts: Redis as broker and result backend.
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = TEST_REDIS_URL
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each pytest-xdist worker seeds the demo chain, whose photos are files with fixed names:
# one media folder per worker (its Celery worker subprocess inherits the variable), so one
# worker never replaces a file the other is reading.
# A variable set for a worker subprocess (tests/reports/test_worker.py) still wins.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media" / _xdist_worker)
OPSDESK_PRIVATE_MEDIA_ROOT = env.path("OPSDESK_PRIVATE_MEDIA_ROOT", default=MEDIA_ROOT("private"))
