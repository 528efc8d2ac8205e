"""Settings for ``make bench``: the app as in production (DEBUG off, persistent
connections), on a PostgreSQL database of its own, plus one floor view (``bench.urls``)."""

from opsdesk.settings.local import *  # noqa: F403
from opsdesk.settings.local import DATABASES, env

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES["default"] = env.db(
    "BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/opsdesk_bench"
)
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Tasks run in-process: the benchmarks measure the code, not the broker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
