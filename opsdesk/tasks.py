"""Platform tasks: thin, idempotent, safe to retry."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone


@shared_task(name="opsdesk.tasks.clear_expired_sessions", time_limit=600, soft_time_limit=540)
def clear_expired_sessions() -> int:
    """Delete expired sessions; running it twice deletes nothing more."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="opsdesk.tasks.worker_health", time_limit=30, soft_time_limit=20)
def worker_health() -> dict:
    """Answered by a worker: proves the broker, the worker and the database all work."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": one == 1, "vendor": connection.vendor}
