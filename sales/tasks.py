"""Thin Celery wrappers: ids in, a service does the work; safe to run twice."""

from celery import shared_task

from .services import import_batch_run


@shared_task(name="sales.import_batch_run")
def import_batch_run_task(batch_id: int) -> dict:
    """Import one queued POS file; a finished batch is left alone, receipts never doubled."""
    batch = import_batch_run(batch_id=batch_id)
    return {"batch": batch.pk, "status": batch.status, "rows": batch.rows_total}
