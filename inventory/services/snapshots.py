"""Daily stock snapshots at each store's close: the input of inventory turnover.

``stock_snapshot_take`` writes the rows of one store and business date in one
``INSERT … SELECT … ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite), so a re-run gives
the same rows:

- for the store's current business date (or later), from the stock levels;
- for a past date, from the ledger: each product's last movement on or before that date
  carries the level right after it (``on_hand_after``, ``avg_cost_after``).

Rows are written for every product the store has ever moved by that date; value is
on hand × average cost, rounded to 4 places; ``last_sold_on`` is the product's latest
business date with a ``sale`` movement up to that date, carried forward from the store's
previous snapshot and updated from its sales since (and at least from those of the last
``LAST_SOLD_LOOKBACK_DAYS`` days, for late postings): one date never reads the whole
history.

The same transaction rewrites the store-date's ``StockSnapshotSummary`` (SKUs, units and
value summed from those rows): the inventory KPIs read it instead of every snapshot row.
``stock_snapshot_summary_rebuild`` recomputes it from the snapshots for any range.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from stores.models import OpeningHours, Store

from ..models import (
    MovementKind,
    StockLevel,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
    StockSnapshotSummary,
)

# How many days before the date the job re-reads the store's sales for ``last_sold_on``,
# beyond the previous snapshot: a sale posted late (a POS file imported days after) within
# it still counts. At least the stockout KPI's 28 active days, so that KPI is exact.
LAST_SOLD_LOOKBACK_DAYS = 28

# Table names are filled in from the models' _meta; every value is a query parameter.
_UPSERT = (
    "INSERT INTO {snapshot} "
    "(store_id, product_id, business_date, on_hand, avg_cost, value, last_sold_on) "
    "{select} ON CONFLICT (store_id, product_id, business_date) DO UPDATE SET "
    "on_hand = EXCLUDED.on_hand, avg_cost = EXCLUDED.avg_cost, value = EXCLUDED.value, "
    "last_sold_on = EXCLUDED.last_sold_on"
)
# last_sold_on: the later of the previous snapshot's (p, carried forward) and the
# product's last sale in the bounded window after it (r). Parameters: the previous
# snapshot's date (NULL when none), the store, the sale kind, the window's exclusive
# start, the date.
_LAST_SOLD = (
    "CASE WHEN r.sold_on IS NULL THEN p.last_sold_on "
    "WHEN p.last_sold_on IS NULL OR p.last_sold_on < r.sold_on THEN r.sold_on "
    "ELSE p.last_sold_on END"
)
_LAST_SOLD_JOINS = (
    "LEFT JOIN {snapshot} p ON p.store_id = {row}.store_id "
    "AND p.product_id = {row}.product_id AND p.business_date = %s "
    "LEFT JOIN (SELECT product_id, MAX(business_date) AS sold_on FROM {movement} "
    "WHERE store_id = %s AND kind = %s AND business_date > %s AND business_date <= %s "
    "GROUP BY product_id) r ON r.product_id = {row}.product_id"
)
_FROM_LEVELS = (
    "SELECT l.store_id, l.product_id, %s, l.on_hand, l.avg_cost, ROUND(l.on_hand * l.avg_cost, 4), "
    "{last_sold} FROM {level} l {joins} WHERE l.store_id = %s "
    # a product enters the snapshots with its first movement, as from the ledger below
    "AND EXISTS (SELECT 1 FROM {movement} m "
    "WHERE m.store_id = l.store_id AND m.product_id = l.product_id)"
)
_FROM_LEDGER = (
    "SELECT m.store_id, m.product_id, %s, m.on_hand_after, m.avg_cost_after, "
    "ROUND(m.on_hand_after * m.avg_cost_after, 4), {last_sold} FROM {movement} m {joins} "
    "WHERE m.id IN (SELECT MAX(id) FROM {movement} WHERE store_id = %s "
    "AND business_date <= %s GROUP BY product_id)"
)

# Sum one store-date's (or a range's) snapshot rows into the summary; idempotent.
_SUMMARY = (
    "INSERT INTO {summary} (store_id, business_date, skus, on_hand, value) "
    "SELECT store_id, business_date, COUNT(*), SUM(on_hand), SUM(value) FROM {snapshot} "
    "WHERE {where} GROUP BY store_id, business_date "
    "ON CONFLICT (store_id, business_date) DO UPDATE SET "
    "skus = EXCLUDED.skus, on_hand = EXCLUDED.on_hand, value = EXCLUDED.value"
)


def _sql(select: str, row: str) -> str:
    names = {
        "snapshot": StockSnapshot,
        "level": StockLevel,
        "movement": StockMovement,
    }
    tables = {key: connection.ops.quote_name(model._meta.db_table) for key, model in names.items()}
    joins = _LAST_SOLD_JOINS.format(row=row, **tables)
    return _UPSERT.format(
        snapshot=tables["snapshot"],
        select=select.format(last_sold=_LAST_SOLD, joins=joins, **tables),
    )


def stock_snapshot_take(*, store_id: int, business_date: datetime.date) -> int:
    """Snapshot one store for one business date; idempotent. Returns the row count."""
    store = Store.objects.get(pk=store_id)
    with transaction.atomic(), connection.cursor() as cursor:
        last_sold = _last_sold_params(store_id, business_date)
        if business_date >= store.business_date():
            cursor.execute(_sql(_FROM_LEVELS, "l"), [business_date, *last_sold, store_id])
        else:
            cursor.execute(
                _sql(_FROM_LEDGER, "m"), [business_date, *last_sold, store_id, business_date]
            )
        rows = cursor.rowcount
        cursor.execute(
            _summary_sql("store_id = %s AND business_date = %s"), [store_id, business_date]
        )
        StockSnapshotRun.objects.update_or_create(
            store_id=store_id,
            business_date=business_date,
            defaults={"rows": max(rows, 0), "finished_at": timezone.now()},
        )
    return rows


def _last_sold_params(store_id: int, business_date: datetime.date) -> list:
    """The parameters of ``_LAST_SOLD_JOINS``: carry forward from the store's latest
    snapshot before the date and read its sales after that snapshot, and at least those
    of the ``LAST_SOLD_LOOKBACK_DAYS`` days to the date. Only a store's first snapshot
    reads all its sales. One query (the previous snapshot's date, by index)."""
    previous = StockSnapshot.objects.filter(
        store_id=store_id, business_date__lt=business_date
    ).aggregate(previous=Max("business_date"))["previous"]
    since = business_date - datetime.timedelta(days=LAST_SOLD_LOOKBACK_DAYS)
    if previous is None:
        since = datetime.date.min
    elif previous < since:
        since = previous
    return [previous, store_id, MovementKind.SALE.value, since, business_date]


def _summary_sql(where: str) -> str:
    return _SUMMARY.format(
        summary=connection.ops.quote_name(StockSnapshotSummary._meta.db_table),
        snapshot=connection.ops.quote_name(StockSnapshot._meta.db_table),
        where=where,
    )


def stock_snapshot_summary_rebuild(
    *,
    store_ids: list[int] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> int:
    """Recompute the snapshot summaries of the given stores (default all) and business
    dates (``start``..``end``, default all) from the snapshot rows, in one statement;
    summaries with no snapshot row left are deleted. Returns the summaries written."""
    where, params = ["1 = 1"], []
    if store_ids is not None:
        if not store_ids:
            return 0
        where.append(f"store_id IN ({', '.join(['%s'] * len(store_ids))})")
        params.extend(store_ids)
    if start is not None:
        where.append("business_date >= %s")
        params.append(start)
    if end is not None:
        where.append("business_date <= %s")
        params.append(end)
    stale = StockSnapshotSummary.objects.all()
    if store_ids is not None:
        stale = stale.filter(store_id__in=store_ids)
    if start is not None:
        stale = stale.filter(business_date__gte=start)
    if end is not None:
        stale = stale.filter(business_date__lte=end)
    with transaction.atomic():
        stale.exclude(
            Exists(
                StockSnapshot.objects.filter(
                    store_id=OuterRef("store_id"), business_date=OuterRef("business_date")
                )
            )
        ).delete()
        with connection.cursor() as cursor:
            cursor.execute(_summary_sql(" AND ".join(where)), params)
            return max(cursor.rowcount, 0)


def store_close_passed(
    store: Store, hours: dict[int, OpeningHours], now: datetime.datetime
) -> datetime.date:
    """The latest business date whose close has passed at ``now`` in the store's zone.

    A day without opening hours closes at midnight (its date ends).
    """
    local = store.local_now(now)
    today = local.date()
    today_hours = hours.get(today.weekday())
    if today_hours is not None and local.time().replace(tzinfo=None) >= today_hours.closes:
        return today
    return today - datetime.timedelta(days=1)


def stores_due_for_snapshot(
    now: datetime.datetime | None = None,
) -> list[tuple[int, datetime.date]]:
    """(store id, business date) of each store whose last close has passed and whose
    snapshot of that date has not run yet. Three queries, whatever the number of stores."""
    now = now or timezone.now()
    stores = list(Store.objects.exclude(status=Store.Status.PLANNED).order_by("pk"))
    hours: dict[int, dict[int, OpeningHours]] = {}
    for row in OpeningHours.objects.filter(store__in=stores):
        hours.setdefault(row.store_id, {})[row.weekday] = row
    due = {s.pk: store_close_passed(s, hours.get(s.pk, {}), now) for s in stores}
    done = set(
        StockSnapshotRun.objects.filter(
            store_id__in=due, business_date__in=set(due.values())
        ).values_list("store_id", "business_date")
    )
    return [(store_id, date) for store_id, date in due.items() if (store_id, date) not in done]
