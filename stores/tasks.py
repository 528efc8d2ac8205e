"""The stores app's Celery tasks, where autodiscovery looks for them."""

from .checklists.tasks import create_due_runs, mark_missed_runs, notify_overdue_actions

__all__ = ["create_due_runs", "mark_missed_runs", "notify_overdue_actions"]
