"""The Celery app. Tasks are autodiscovered in every installed app's ``tasks.py``.

The beat schedule lives here, in one place. Settings come from Django's settings with
the ``CELERY_`` prefix (see ``opsdesk/settings/base.py``).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings.local")

app = Celery("opsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The checklists domain lives inside the stores app (stores/checklists/tasks.py).
app.autodiscover_tasks(["stores.checklists"])

app.conf.beat_schedule = {
    "kpis-compute-due": {
        # Each store's business date is computed once, after its local close.
        "task": "kpis.compute_due",
        "schedule": crontab(minute="*/15"),
    },
    "clear-expired-sessions": {
        "task": "opsdesk.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # Checklists (stores/checklists/tasks.py): each idempotent, every 15 minutes.
    "checklists-create-due-runs": {
        "task": "stores.checklists.create_due_runs",
        "schedule": crontab(minute="*/15"),
    },
    "checklists-mark-missed-runs": {
        "task": "stores.checklists.mark_missed_runs",
        "schedule": crontab(minute="5-59/15"),
    },
    "checklists-notify-overdue-actions": {
        "task": "stores.checklists.notify_overdue_actions",
        "schedule": crontab(minute="10-59/15"),
    },
    "checklists-delete-orphan-photos": {
        "task": "stores.checklists.delete_orphan_photos",
        "schedule": crontab(hour=4, minute=23),
    },
    # Inventory: snapshot each store whose local close has passed and whose snapshot of
    # that business date is missing (inventory/tasks.py), every 15 minutes.
    "inventory-snapshot-due-stores": {
        "task": "inventory.tasks.snapshot_due_stores",
        "schedule": crontab(minute="7-59/15"),
    },
    # Reports (opsdesk/analytics/reports/tasks.py): expired export files daily; the monthly reports
    # whose schedule day has come, daily (each schedule's month is sent once).
    "reports-export-jobs-sweep": {
        "task": "reports.export_jobs_sweep",
        "schedule": crontab(hour=3, minute=41),
    },
    "reports-send-due-reports": {
        "task": "reports.send_due_reports",
        "schedule": crontab(hour=6, minute=23),
    },
    # Inventory: recompute the velocity reorder rules from the trailing 28 days of sales
    # (inventory/services/replenishment/); idempotent, manual rules untouched.
    "inventory-reorder-rules-recompute": {
        "task": "inventory.tasks.reorder_rules_recompute",
        "schedule": crontab(hour=2, minute=43),
    },
    # Customers (customers/tasks.py): escalate open complaints past an SLA due time to
    # their region's ops, each exactly once; every 5 minutes.
    "customers-escalate-breached": {
        "task": "customers.escalate_breached",
        "schedule": crontab(minute="2-59/5"),
    },
    # Staff (staff/tasks.py): assign mandatory courses and renewals, remind overdue training
    # once per store-local day; idempotent, so hourly catches every store's new day.
    "staff-training-sweep": {
        "task": "staff.training_sweep",
        "schedule": crontab(minute=37),
    },
}
