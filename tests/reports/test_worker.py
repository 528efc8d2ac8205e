"""Export jobs on a real Celery worker (Redis broker, the test database): a job finishes
and its owner downloads it; a worker killed mid-export redelivers the job, which starts
again from scratch and produces a complete file."""

import os
import signal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from opsdesk.analytics.reports.models import ExportJob
from opsdesk.analytics.reports.tasks import export_job_run_task
from stores.models import Store
from tests.conftest import seed_test_chain
from tests.integration.test_celery_worker import (  # noqa: F401
    TASK_TIMEOUT,
    _wait_for,
    worker,
)
from tests.reports.conftest import body, csv_rows

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(private_media, monkeypatch):
    """The worker starts with this test's private media directory."""
    monkeypatch.setenv("OPSDESK_PRIVATE_MEDIA_ROOT", str(private_media))


@pytest.fixture
def export_worker(worker_env, worker):  # noqa: F811 (the integration tests' fixture)
    return worker


def _job(user, dataset="stores", fmt="csv", params=None):
    # Created directly (not through export_job_create, which queues on the default
    # queue): the test sends it to its own worker's queue.
    return ExportJob.objects.create(
        user=user, dataset=dataset, format=fmt, params=params or {}, rows_total=0
    )


def _waiting_on(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{table}%"],
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_a_job_runs_on_the_worker_and_its_owner_downloads_it(export_worker, client):
    chain = seed_test_chain()
    head = chain.user("headoffice")
    job = _job(head, "stock_levels", "csv")
    result = export_worker.run(export_job_run_task.s(job.pk))
    assert result["status"] == "done", export_worker.log()
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done > 0
    client.force_login(head)
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    _header, *rows = csv_rows(body(response))
    assert len(rows) == job.rows_done
    client.force_login(chain.user("manager"))
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_a_worker_killed_mid_export_redelivers_the_job_which_completes(export_worker):
    """acks_late + reject_on_worker_lost. The export is held mid-run without test-only
    code: this test locks the stores table, so the export's read waits in PostgreSQL."""
    chain = seed_test_chain()
    job = _job(chain.user("headoffice"))
    (first_child,) = export_worker.pool_children()

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE stores_store IN ACCESS EXCLUSIVE MODE")
        result = export_worker.send(export_job_run_task.s(job.pk))
        (killed_backend,) = _wait_for(
            lambda: _waiting_on("stores_store"), "the export to start", export_worker
        )
        started = ExportJob.objects.get(pk=job.pk)
        assert (started.status, started.attempts) == ("running", 1)
        temp = os.listdir(os.path.join(started.file.storage.location, "tmp"))
        assert len(temp) == 1  # the first attempt's temporary file

        os.kill(first_child, signal.SIGKILL)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [killed_backend])
        _wait_for(
            lambda: _waiting_on("stores_store") - {killed_backend},
            "the job to be redelivered",
            export_worker,
        )
        assert first_child not in export_worker.pool_children()

    try:
        outcome = result.get(timeout=TASK_TIMEOUT)
        assert outcome["status"] == "done"
    except Exception:
        print(export_worker.log())
        raise
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    with job.file.open("rb") as handle:
        _header, *rows = csv_rows(handle.read())
    assert sorted(r[0] for r in rows) == sorted(Store.objects.values_list("code", flat=True))
    assert os.listdir(os.path.join(job.file.storage.location, "tmp")) == []
    log = export_worker.log()
    assert "WorkerLostError" in log or "SIGKILL" in log
