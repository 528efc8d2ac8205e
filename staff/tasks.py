"""Thin Celery wrappers around the staff services: idempotent, safe to retry.

Scheduled in ``opsdesk/celery.py``.
"""

from celery import shared_task

from .services import training_sweep as _training_sweep


@shared_task(name="staff.training_sweep", time_limit=900, soft_time_limit=840)
def training_sweep() -> dict:
    """Assign mandatory courses and renewals; remind overdue assignments once a day."""
    return _training_sweep()
