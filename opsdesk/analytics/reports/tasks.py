"""Thin Celery wrappers: ids in, a service does the work; safe to run twice.

The export job is its own run record (status, attempts, started/finished, rows, error);
schedule deliveries are recorded by ``ReportDelivery`` (one per schedule and month)."""

from celery import shared_task

from . import monthly, services


@shared_task(
    name="reports.export_job_run",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=3000,
    soft_time_limit=2900,
)
def export_job_run_task(job_id: int) -> dict:
    """Build one export's file; a redelivered job starts again from scratch."""
    return services.export_job_run(job_id=job_id)


@shared_task(name="reports.export_jobs_sweep", time_limit=600, soft_time_limit=540)
def export_jobs_sweep_task() -> int:
    """Daily: delete export files past OPSDESK_EXPORT_KEEP_DAYS."""
    return services.export_jobs_sweep()


@shared_task(
    name="reports.send_due_reports",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def send_due_reports_task() -> dict:
    """Daily: email the monthly reports whose schedule day has come, once per month."""
    return monthly.send_due_reports()
