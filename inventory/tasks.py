"""Thin Celery wrappers: take ids, call a service, idempotent and safe to retry."""

from __future__ import annotations

import datetime

from celery import shared_task

from .services.snapshots import stock_snapshot_take, stores_due_for_snapshot


@shared_task(name="inventory.tasks.snapshot_store", time_limit=900, soft_time_limit=840)
def snapshot_store(store_id: int, business_date: str) -> int:
    """Snapshot one store for one business date (ISO date); re-running rewrites the same rows."""
    return stock_snapshot_take(
        store_id=store_id, business_date=datetime.date.fromisoformat(business_date)
    )


@shared_task(name="inventory.tasks.snapshot_due_stores", time_limit=300, soft_time_limit=270)
def snapshot_due_stores() -> int:
    """Every 15 minutes: queue the snapshot of each store whose close has passed and whose
    snapshot for that business date is missing. Returns how many were queued."""
    due = stores_due_for_snapshot()
    for store_id, business_date in due:
        snapshot_store.delay(store_id, business_date.isoformat())
    return len(due)


@shared_task(name="inventory.tasks.reorder_rules_recompute", time_limit=1800, soft_time_limit=1740)
def reorder_rules_recompute_task(store_ids: list[int] | None = None) -> dict[str, int]:
    """Nightly: recompute the velocity reorder rules of every active store (or of the
    given ones). Manual rules are left alone; re-running gives the same rules."""
    from .services.replenishment import reorder_rules_recompute

    return reorder_rules_recompute(store_ids=store_ids)
