"""Thin Celery wrappers around the customers services: idempotent, safe to retry.

Scheduled in ``opsdesk/celery.py`` (every 5 minutes).
"""

from celery import shared_task

from .services import complaints_escalate_breached


@shared_task(name="customers.escalate_breached", time_limit=300, soft_time_limit=270)
def escalate_breached() -> int:
    """Escalate open complaints past an SLA due time to regional ops, once each."""
    return complaints_escalate_breached()
