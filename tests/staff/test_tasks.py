"""The training sweep on a real Celery worker (Redis broker, the test database): it assigns
the mandatory courses once, a re-run adds and sends nothing, and a worker killed mid-sweep
hands the task to a new process that completes it without duplicates."""

import datetime
import os
import signal

import pytest
from django.db import connection, transaction

from opsdesk.celery import app
from opsdesk.platform.notifications.models import Notification
from staff.models import Course, TrainingAssignment
from staff.tasks import training_sweep
from tests.integration.test_celery_worker import (  # noqa: F401 - the worker fixture
    TASK_TIMEOUT,
    _wait_for,
    worker,
)

from .conftest import make_employee

pytestmark = pytest.mark.integration


def test_the_sweep_is_scheduled_and_time_limited():
    entries = {e["task"]: e for e in app.conf.beat_schedule.values()}
    assert "staff.training_sweep" in entries
    assert training_sweep.time_limit and training_sweep.soft_time_limit < training_sweep.time_limit


@pytest.fixture
def courses(world):
    Course.objects.create(
        code="safety", name="Safety", mandatory_for=["cashier"], validity_months=12, due_days=14
    )
    # An overdue assignment to remind about: due long ago, not done.
    tills = Course.objects.create(code="tills", name="Tills", due_days=7)
    TrainingAssignment.objects.create(
        employee=world.ann, course=tills, due_date=datetime.date(2025, 1, 10)
    )
    return world


def test_the_sweep_on_a_real_worker_is_idempotent(worker, courses):  # noqa: F811
    w = courses
    assert worker.run(training_sweep) == {"cancelled": 0, "assigned": 5, "reminded": 1}
    assert TrainingAssignment.objects.filter(course__code="safety").count() == 5
    sent = Notification.objects.count()
    assert Notification.objects.filter(user=w.ann_user, title__startswith="Training").exists()
    assert worker.run(training_sweep) == {"cancelled": 0, "assigned": 0, "reminded": 0}
    assert TrainingAssignment.objects.filter(course__code="safety").count() == 5
    assert Notification.objects.count() == sent


def _waiting_on_assignments() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE %s",
            ["%staff_trainingassignment%"],
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_a_sweep_whose_worker_is_killed_is_redelivered_and_completed(worker, courses):  # noqa: F811
    """Held mid-sweep by a lock on the assignments table (no test-only code in the task),
    the pool process is killed; the task is delivered again and assigns each course once."""
    make_employee("Late joiner", courses.sh2)
    (first_child,) = worker.pool_children()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE staff_trainingassignment IN ACCESS EXCLUSIVE MODE")
        result = worker.send(training_sweep)
        (killed,) = _wait_for(_waiting_on_assignments, "the sweep to start", worker)
        os.kill(first_child, signal.SIGKILL)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [killed])
        _wait_for(lambda: _waiting_on_assignments() - {killed}, "the redelivery", worker)
        assert first_child not in worker.pool_children()
    try:
        outcome = result.get(timeout=TASK_TIMEOUT)
    except Exception:
        print(worker.log())
        raise
    assert outcome == {"cancelled": 0, "assigned": 6, "reminded": 1}
    pairs = list(
        TrainingAssignment.objects.filter(course__code="safety").values_list(
            "employee_id", flat=True
        )
    )
    assert len(pairs) == len(set(pairs)) == 6
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
