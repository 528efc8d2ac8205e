"""Thin Celery wrappers around the KPI engine: ids and ISO dates in, idempotent."""

import datetime

from celery import shared_task

from .engine import compute_kpis, due_store_dates


@shared_task(name="kpis.compute_date", time_limit=3000, soft_time_limit=2900)
def compute_date(business_date: str, store_ids: list[int] | None = None, trigger: str = "beat"):
    run = compute_kpis(
        business_date=datetime.date.fromisoformat(business_date),
        store_ids=store_ids,
        trigger=trigger,
    )
    return {"run": run.pk, "status": run.status, "rows": run.row_count}


@shared_task(name="kpis.compute_due", time_limit=300, soft_time_limit=280)
def compute_due() -> dict[str, int]:
    """Every 15 minutes: queue the business dates whose stores have closed."""
    due = due_store_dates()
    for business_date, store_ids in sorted(due.items()):
        compute_date.delay(business_date.isoformat(), store_ids)
    return {d.isoformat(): len(s) for d, s in due.items()}
