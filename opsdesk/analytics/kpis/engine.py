"""The nightly KPI job: one business date, many stores, every registered KPI.

- Idempotent: a date's rows for the stores computed are deleted and re-inserted in one
  transaction, so a re-run gives identical rows and a crash leaves the previous rows.
- Single-flight: a PostgreSQL advisory lock per business date; a second run for the same
  date while one is computing is recorded as skipped and computes nothing.
- Incremental: every KPI reads a bounded window of days, so one date's cost does not
  grow with the length of history.

The same code runs from celery beat, ``manage.py compute_kpis`` and back-fills.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
import zlib
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from stores.models import Store

from . import registry
from .models import KpiFact, KpiRun, KpiStoreDay

_LOCK_NAMESPACE = zlib.crc32(b"opsdesk.analytics.kpis") & 0x7FFFFFFF
_local_lock = threading.Lock()  # SQLite (the embedded default) has one process


@contextlib.contextmanager
def single_flight(business_date: datetime.date) -> Iterator[bool]:
    """Yield True when this process may compute ``business_date``, False if another is."""
    if connection.vendor != "postgresql":
        acquired = _local_lock.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                _local_lock.release()
        return
    key = business_date.toordinal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, key])
        (acquired,) = cursor.fetchone()
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, key])


def stores_for(business_date: datetime.date, store_ids: Iterable[int] | None = None) -> list[int]:
    """Stores that trade on that date: not planned, opened on or before it."""
    stores = Store.objects.exclude(status=Store.Status.PLANNED).filter(
        Q(opening_date__isnull=True) | Q(opening_date__lte=business_date)
    )
    if store_ids is not None:
        stores = stores.filter(pk__in=list(store_ids))
    return list(stores.order_by("pk").values_list("pk", flat=True))


def compute_kpis(
    *,
    business_date: datetime.date,
    store_ids: Iterable[int] | None = None,
    codes: Iterable[str] | None = None,
    trigger: str = "command",
) -> KpiRun:
    kpis = registry.all_kpis(codes)
    with single_flight(business_date) as acquired:
        if not acquired:
            now = timezone.now()
            return KpiRun.objects.create(
                business_date=business_date,
                trigger=trigger,
                status=KpiRun.Status.SKIPPED,
                finished_at=now,
            )
        # A run of this date still marked running was interrupted (its worker died):
        # we hold the date's lock, so nobody else is computing it.
        KpiRun.objects.filter(business_date=business_date, status=KpiRun.Status.RUNNING).update(
            status=KpiRun.Status.FAILED, error="interrupted", finished_at=timezone.now()
        )
        run = KpiRun.objects.create(
            business_date=business_date, trigger=trigger, status=KpiRun.Status.RUNNING
        )
        try:
            stores = stores_for(business_date, store_ids)
            rows = _compute_rows(kpis, business_date, stores)
            with transaction.atomic():
                KpiFact.objects.filter(
                    business_date=business_date,
                    store_id__in=stores,
                    code__in=[k.code for k in kpis],
                ).delete()
                KpiFact.objects.bulk_create(rows, batch_size=5000)
                now = timezone.now()
                KpiStoreDay.objects.bulk_create(
                    [
                        KpiStoreDay(
                            store_id=s, business_date=business_date, computed_at=now, run=run
                        )
                        for s in stores
                    ],
                    update_conflicts=True,
                    unique_fields=["store", "business_date"],
                    update_fields=["computed_at", "run"],
                )
                run.status = KpiRun.Status.SUCCEEDED
                run.finished_at = now
                run.store_count = len(stores)
                run.row_count = len(rows)
                run.save()
        except Exception as exc:
            run.status = KpiRun.Status.FAILED
            run.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.save()
            raise
    return run


def _compute_rows(kpis, business_date, stores: list[int]) -> list[KpiFact]:
    rows = []
    if not stores:
        return rows
    with registry.run_cache():
        computed = [(kpi, kpi.compute(business_date, stores)) for kpi in kpis]
    for kpi, values in computed:
        for store_id in stores:
            if store_id not in values:
                continue
            numerator, denominator = values[store_id]
            rows.append(
                KpiFact(
                    store_id=store_id,
                    business_date=business_date,
                    code=kpi.code,
                    numerator=numerator,
                    denominator=denominator,
                    value=kpi.value(numerator, denominator),
                )
            )
    return rows


def compute_range(
    *, start: datetime.date, end: datetime.date, trigger: str = "backfill", **kwargs
) -> list[KpiRun]:
    """A back-fill: each date in turn, the same code as the nightly job."""
    runs = []
    day = start
    while day <= end:
        runs.append(compute_kpis(business_date=day, trigger=trigger, **kwargs))
        day += datetime.timedelta(days=1)
    return runs


def due_store_dates(now: datetime.datetime | None = None) -> dict[datetime.date, list[int]]:
    """Stores whose local business day has closed and whose KPIs for it are missing, and
    stores whose last ended day was computed before it ended.

    A store's day is over at its closing time that day (midnight when it has no hours);
    the job computes that business date once, after the close. What happens between the
    close and midnight (a POS file imported late, a complaint logged in the evening, an SLA
    due at 23:00, training completed at home) still belongs to that date, so a date
    computed before its store-local midnight is computed once more after it: its
    ``KpiStoreDay.computed_at`` is then past the midnight, and it is settled. Each store
    costs at most two computations a night, whatever the length of history.
    """
    now = now or timezone.now()
    stores = Store.objects.exclude(status=Store.Status.PLANNED).prefetch_related("opening_hours")
    candidates: dict[datetime.date, list[int]] = {}
    ended: dict[datetime.date, dict[int, datetime.datetime]] = {}
    for store in stores:
        local = store.local_now(now)
        hours = {h.weekday: h for h in store.opening_hours.all()}
        today = hours.get(local.weekday())
        closed_today = today is not None and local.time().replace(tzinfo=None) >= today.closes
        business_date = local.date() if closed_today else local.date() - datetime.timedelta(days=1)
        if store.opening_date and store.opening_date > business_date:
            continue
        candidates.setdefault(business_date, []).append(store.pk)
        # The last day that has ended: yesterday, which ended at today's local midnight.
        midnight = datetime.datetime.combine(local.date(), datetime.time(0), tzinfo=store.tz)
        ended.setdefault(local.date() - datetime.timedelta(days=1), {})[store.pk] = midnight
    due: dict[datetime.date, set[int]] = {}
    for business_date in sorted(set(candidates) | set(ended)):
        store_ids = set(candidates.get(business_date, [])) | set(ended.get(business_date, {}))
        computed = dict(
            KpiStoreDay.objects.filter(
                business_date=business_date, store_id__in=store_ids
            ).values_list("store_id", "computed_at")
        )
        for store_id in candidates.get(business_date, []):
            if store_id not in computed:
                due.setdefault(business_date, set()).add(store_id)
        for store_id, midnight in ended.get(business_date, {}).items():
            if store_id in computed and computed[store_id] < midnight:
                due.setdefault(business_date, set()).add(store_id)
    return {day: sorted(ids) for day, ids in due.items()}
