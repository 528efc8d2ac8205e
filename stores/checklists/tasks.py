"""Thin Celery wrappers around the checklist services: idempotent, safe to retry.

Scheduled in ``opsdesk/celery.py`` (every 15 minutes).
"""

from celery import shared_task

from .services import (
    corrective_actions_notify_overdue,
    photo_orphans_delete,
    runs_create_due,
    runs_mark_missed,
)


@shared_task(name="stores.checklists.create_due_runs", time_limit=600, soft_time_limit=540)
def create_due_runs() -> int:
    """Each store's scheduled runs for its current local business day (once each)."""
    return runs_create_due()


@shared_task(name="stores.checklists.mark_missed_runs", time_limit=600, soft_time_limit=540)
def mark_missed_runs() -> int:
    """Runs past their deadline (no late submission) or past their business day: missed."""
    return runs_mark_missed()


@shared_task(name="stores.checklists.notify_overdue_actions", time_limit=600, soft_time_limit=540)
def notify_overdue_actions() -> int:
    """Remind assignees and regional ops of overdue corrective actions, once a day each."""
    return corrective_actions_notify_overdue()


@shared_task(name="stores.checklists.delete_orphan_photos", time_limit=1800, soft_time_limit=1700)
def delete_orphan_photos() -> int:
    """Photo files left without a row (a rolled-back upload), older than a day."""
    return photo_orphans_delete()
