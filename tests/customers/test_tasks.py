"""The SLA sweep as a Celery task: in-process (idempotent, beat-scheduled) and on a REAL
worker on Redis, including a worker killed half-way through a sweep: the re-run escalates
the rest, and nobody is notified twice."""

import datetime
import os
import signal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from customers.models import Complaint, ComplaintEvent
from customers.tasks import escalate_breached
from opsdesk.celery import app as celery_app
from opsdesk.platform.notifications.models import Notification
from stores.models import Region, RegionAssignment, Store
from tests.conftest import require_service
from tests.integration.test_celery_worker import (
    TASK_TIMEOUT,
    Worker,
    _app_on_redis,
    _wait_for,
)


def _breached_world():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    east = Region.objects.create(code="E", name="East")
    west = Region.objects.create(code="W", name="West")
    e1 = Store.objects.create(code="E1", name="E1", region=east, time_zone="Asia/Shanghai")
    w1 = Store.objects.create(code="W1", name="W1", region=west, time_zone="UTC")
    ops_east = User.objects.create_user("ops-east", password="x", role="regional_ops")
    ops_west = User.objects.create_user("ops-west", password="x", role="regional_ops")
    RegionAssignment.objects.create(user=ops_east, region=east)
    RegionAssignment.objects.create(user=ops_west, region=west)
    received = timezone.now() - datetime.timedelta(days=3)
    complaints = [
        Complaint.objects.create(
            store=store,
            channel="phone",
            category="service",
            severity="critical",
            description=f"Breached {i}",
            received_at=received,
            first_response_due_at=received + datetime.timedelta(hours=1),
            resolution_due_at=received + datetime.timedelta(hours=24),
        )
        for i, store in enumerate([e1, e1, w1])
    ]
    return complaints, {"ops-east": ops_east, "ops-west": ops_west}


def _outcome():
    return (
        sorted(Notification.objects.values_list("user__username", "topic")),
        ComplaintEvent.objects.filter(kind="escalated").count(),
        Complaint.objects.filter(escalated_at__isnull=False).count(),
    )


def _expected(complaints):
    east, east2, west = complaints
    return (
        sorted(
            [
                ("ops-east", f"complaint-escalated:{east.pk}"),
                ("ops-east", f"complaint-escalated:{east2.pk}"),
                ("ops-west", f"complaint-escalated:{west.pk}"),
            ]
        ),
        3,
        3,
    )


def test_the_task_is_idempotent_and_scheduled(db):
    complaints, _users = _breached_world()
    assert escalate_breached.delay().get() == 3
    assert escalate_breached.delay().get() == 0
    assert _outcome() == _expected(complaints)
    schedule = celery_app.conf.beat_schedule["customers-escalate-breached"]
    assert schedule["task"] == escalate_breached.name
    assert escalate_breached.time_limit and escalate_breached.soft_time_limit


@pytest.fixture
def sweep_worker(redis_url, transactional_db, tmp_path):
    """A real worker on this checkout's Redis (REDIS_URL) and the test database."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    with _app_on_redis(redis_url) as app:
        worker = Worker(app, redis_url, tmp_path / "worker.log")
        try:
            worker.wait_ready()
            yield worker
        finally:
            worker.stop()


def _waiting_on_complaints() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE %s",
            ["%customers_complaint%"],
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.integration
def test_the_sweep_on_a_real_worker_twice(sweep_worker):
    complaints, _users = _breached_world()
    assert sweep_worker.run(escalate_breached.s()) == 3
    assert sweep_worker.run(escalate_breached.s()) == 0
    assert _outcome() == _expected(complaints)


@pytest.mark.integration
def test_a_worker_killed_mid_sweep_then_the_rerun_gives_the_same_result(sweep_worker):
    """The sweep is held half-way without test-only code: this test locks the second
    complaint's row, so the sweep escalates the first (committed), then waits in
    PostgreSQL on the second; its process is killed there (acks_late: redelivered)."""
    complaints, _users = _breached_world()
    first, second, _third = complaints
    (first_child,) = sweep_worker.pool_children()
    with transaction.atomic():
        Complaint.objects.select_for_update().get(pk=second.pk)
        result = sweep_worker.send(escalate_breached.s())
        (killed_backend,) = _wait_for(_waiting_on_complaints, "the sweep to wait", sweep_worker)
        # Half-way: the first complaint is escalated and notified, the rest not yet.
        assert Complaint.objects.get(pk=first.pk).escalated_at is not None
        assert Notification.objects.count() == 1

        os.kill(first_child, signal.SIGKILL)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [killed_backend])
        _wait_for(
            lambda: _waiting_on_complaints() - {killed_backend},
            "the sweep to be redelivered",
            sweep_worker,
        )
        assert first_child not in sweep_worker.pool_children()

    try:
        assert result.get(timeout=TASK_TIMEOUT) == 2
    except Exception:
        print(sweep_worker.log())
        raise
    log = sweep_worker.log()
    assert "WorkerLostError" in log or "SIGKILL" in log
    # The same end state as an uninterrupted sweep; a further run changes nothing.
    assert _outcome() == _expected(complaints)
    assert sweep_worker.run(escalate_breached.s()) == 0
    assert _outcome() == _expected(complaints)
