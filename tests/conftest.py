"""Fixtures shared by every test: the demo chain, a user per role, API clients.

With CI=true nothing may be skipped for a missing service: PostgreSQL, Redis and
Chromium must all be there, or the session fails at once.
"""

import os
import shutil
import socket

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(url_host: str, port: int) -> bool:
    try:
        with socket.create_connection((url_host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    if not IN_CI:
        return
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("CI runs on PostgreSQL, but no PostgreSQL was configured or reachable")
    if not settings.TEST_REDIS_URL:
        problems.append("CI needs Redis (REDIS_URL or 127.0.0.1:6379)")
    if not shutil.which(CHROMIUM):
        problems.append(f"CI needs Chromium at {CHROMIUM}")
    if problems:
        pytest.exit("; ".join(problems), returncode=3)


def require_service(available: bool, what: str) -> None:
    """Skip a test for a missing service on a developer machine; fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available")


# The demo chain the tests use: the default 3 regions and 12 stores with their users, but
# a small catalogue and a short history so that seeding stays well under a second.
TEST_CHAIN = {"skus": 20, "days": 14, "seed": 42}


def seed_test_chain(**overrides):
    call_command("seed_demo", force=True, verbosity=0, **{**TEST_CHAIN, **overrides})
    return DemoChainView()


@pytest.fixture
def demo(db):
    """The demo chain (default stores and users; small catalogue, 14 days of history)."""
    return seed_test_chain()


class DemoChainView:
    """Handy lookups over the seeded chain."""

    @property
    def users(self):
        from django.contrib.auth import get_user_model

        return {u.username: u for u in get_user_model().objects.all()}

    def user(self, username):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    @property
    def regions(self):
        from stores.models import Region

        return list(Region.objects.order_by("pk"))

    @property
    def stores(self):
        from stores.models import Store

        return list(Store.objects.select_related("region").order_by("pk"))

    def stores_of_region(self, region):
        return [s for s in self.stores if s.region_id == region.pk]


ROLE_USERNAMES = ["headoffice", "regional", "manager", "staff", "admin"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_as(client):
    """client_as(user) -> the Django test client signed in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated with that user's token."""
    from rest_framework.authtoken.models import Token

    def make(user):
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


@pytest.fixture
def redis_url():
    require_service(bool(settings.TEST_REDIS_URL), "Redis")
    host_port = settings.TEST_REDIS_URL.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    require_service(_reachable(host or "127.0.0.1", int(port or 6379)), "Redis")
    return settings.TEST_REDIS_URL


@pytest.fixture
def chromium_path():
    require_service(bool(shutil.which(CHROMIUM)), "Chromium")
    return CHROMIUM


def celery_leave_task_context() -> None:
    """Tell Celery this process is not inside a task.

    Celery keeps "am I inside a task?" in one process-wide flag, not per thread: an eager
    ``apply_async`` saves it, sets it and restores it on the way out. When two threads (the
    live server's, in the browser tests) run eager tasks at the same time, the one that
    leaves last restores the value the other had set, and the flag stays on for the rest
    of the run: every later ``result.get()`` of the real-worker tests is then refused with
    "Never call result.get() within a task!" (tests/test_celery_state.py shows it). The
    test process itself is never inside a task, so every test starts with the flag off.
    """
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _celery_not_in_a_task():
    celery_leave_task_context()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Every test starts in the default language: a request served in Chinese (the user's
    choice is activated by middleware) must not leak into the next test's messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
