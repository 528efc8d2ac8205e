"""A real Celery worker on real Redis, running the project's tasks against the test database.

Each test starts ``celery -A opsdesk worker`` as a subprocess (its own process group,
always stopped in teardown) on a queue named for this run only, so a stray worker on the
same Redis never takes our tasks. The worker reads the test settings with
``OPSDESK_TEST_WORKER=1`` (Redis broker and results, not eager) and ``DATABASE_URL``
pointing at the test database, which it sees because these tests use ``transactional_db``.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from opsdesk.celery import app as celery_app
from opsdesk.tasks import clear_expired_sessions, worker_health
from tests.conftest import require_service

pytestmark = pytest.mark.integration

REDIS_DB = 15
START_TIMEOUT = 60
TASK_TIMEOUT = 60


def _redis_db15(url: str) -> str:
    """The same Redis server, database 15: tests never touch a real database's keys."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def _test_database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")  # a socket directory is %2F...
    port = db.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(db['NAME'], safe='')}"


def _drop_connections(app) -> None:
    """Forget pooled broker connections and the result backend, so new settings apply."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    kombu.pools.reset()  # closes and forgets every pooled connection of this process


@contextmanager
def _app_on_redis(url: str):
    """Point the project's Celery app at Redis (not eager) for one test, then restore it."""
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    _drop_connections(celery_app)
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    try:
        yield celery_app
    finally:
        _drop_connections(celery_app)
        celery_app.conf.update(saved)


class Worker:
    """One ``celery worker`` subprocess consuming one private queue."""

    def __init__(self, app, redis_url: str, log_path: Path):
        self.app = app
        self.queue = f"opsdesk-test-{uuid.uuid4().hex}"
        self.node = f"{self.queue}@{os.uname().nodename}"
        self.log_path = log_path
        self.redis_url = redis_url
        self._results = []
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "opsdesk.settings.test",
            "OPSDESK_TEST_WORKER": "1",
            "REDIS_URL": redis_url,
            "DATABASE_URL": _test_database_url(),
            "CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "opsdesk",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            self.queue,
            "-n",
            self.node,
        ]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown stops its children too
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log()}")
            if self.app.control.ping(destination=[self.node], timeout=0.5):
                return
        pytest.fail(f"the worker did not answer within {START_TIMEOUT}s:\n{self.log()}")

    def pool_children(self) -> list[int]:
        """The worker's pool processes (prefork children of the main process)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def send(self, task):
        """Queue ``task`` for this worker; its result is forgotten when the worker stops."""
        result = task.apply_async(queue=self.queue)
        self._results.append(result)
        return result

    def run(self, task, timeout: float = TASK_TIMEOUT):
        """Send ``task`` and wait for its return value."""
        result = self.send(task)
        try:
            return result.get(timeout=timeout)
        except Exception:
            print(self.log())
            raise

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        finally:
            self._log.close()
            for result in self._results:
                result.forget()
            self._forget_queue()

    def _forget_queue(self) -> None:
        """Delete the queue's list and bindings: its name is unique to this test."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(match=f"*{self.queue}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


@pytest.fixture
def worker(redis_url, transactional_db, tmp_path):
    """A running worker on Redis db 15 and the test database; stopped after the test."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    url = _redis_db15(redis_url)
    with _app_on_redis(url) as app:
        started = Worker(app, url, tmp_path / "worker.log")
        try:
            started.wait_ready()
            yield started
        finally:
            started.stop()


def _session(key: str, expires_in: datetime.timedelta) -> Session:
    return Session.objects.create(
        session_key=key, session_data="e30:", expire_date=timezone.now() + expires_in
    )


def test_worker_answers_health_from_the_database(worker):
    assert worker.run(worker_health) == {"database": True, "vendor": "postgresql"}


def test_clear_expired_sessions_through_the_worker_is_idempotent(worker):
    _session("expired" + "x" * 25, -datetime.timedelta(days=1))
    live = _session("live" + "x" * 28, datetime.timedelta(days=1))

    assert worker.run(clear_expired_sessions) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert worker.run(clear_expired_sessions) == 0
    assert Session.objects.filter(pk=live.pk).exists()


def _waiting_on_session_lock() -> set[int]:
    """Database backends blocked on a lock while touching django_session."""
    with connection.cursor() as cursor:
        # Statistics are cached for the transaction; this test reads them inside one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            "AND query ILIKE %s",
            ["%django_session%"],
        )
        return {pid for (pid,) in cursor.fetchall()}


def _wait_for(predicate, what: str, worker: Worker, timeout: float = TASK_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{worker.log()}")


def test_a_task_whose_worker_process_is_killed_is_redelivered_and_completed(worker):
    """acks_late + reject_on_worker_lost: SIGKILL mid-task requeues it for a new process.

    The task is held mid-run without any test-only code: this test holds an exclusive
    lock on the session table, so the task's DELETE waits inside the database.
    """
    _session("expired" + "y" * 25, -datetime.timedelta(days=1))
    (first_child,) = worker.pool_children()

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        result = worker.send(clear_expired_sessions)
        (killed_backend,) = _wait_for(_waiting_on_session_lock, "the task to start", worker)

        os.kill(first_child, signal.SIGKILL)
        # The killed run's query still waits in PostgreSQL; end it so that it cannot
        # delete the row once the lock is released (its client is gone).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [killed_backend])

        # Redelivered to a new pool process, which now waits on the same lock.
        def new_backend():
            return _waiting_on_session_lock() - {killed_backend}

        _wait_for(new_backend, "the task to be redelivered", worker)
        assert first_child not in worker.pool_children()
        assert Session.objects.exists()  # nothing was deleted while the lock was held

    try:
        assert result.get(timeout=TASK_TIMEOUT) == 1
    except Exception:
        print(worker.log())
        raise
    assert not Session.objects.exists()
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
