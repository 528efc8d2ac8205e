"""One measurement per process (``python -m bench.measure NAME ...``), so that the peak
memory (``ru_maxrss``) is the measured operation's own. Prints one JSON line last.

The database comes from ``BENCH_DATABASE_URL`` (see ``bench/settings.py``).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import statistics
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_seconds(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def last_business_date() -> datetime.date:
    from inventory.models import StockSnapshot

    return StockSnapshot.objects.order_by("-business_date").values_list("business_date", flat=True)[
        0
    ]


# --- 1. The nightly KPI job for one date, against one hand-written SQL statement ----

TURNOVER_FLOOR_SQL = """
SELECT cogs.store_id, cogs.value / NULLIF(inv.value, 0) AS turnover
FROM (
    SELECT store_id, -SUM(quantity * unit_cost) AS value
    FROM inventory_stockmovement
    WHERE kind IN ('sale', 'customer_return')
      AND business_date BETWEEN %(start)s AND %(end)s
    GROUP BY store_id
) cogs
JOIN (
    SELECT store_id, SUM(value) / 30 AS value
    FROM inventory_stocksnapshot
    WHERE business_date BETWEEN %(start)s AND %(end)s
    GROUP BY store_id
) inv ON inv.store_id = cogs.store_id
"""


def turnover_floor(day: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(TURNOVER_FLOOR_SQL, {"start": day - datetime.timedelta(days=29), "end": day})
        return len(cursor.fetchall())


def kpis_one_date(args) -> dict:
    """The job for every store of the chain (``store_ids`` not given: all trading stores,
    as the nightly run), then the floor, alternately, in this one process."""
    from opsdesk.analytics.kpis import registry
    from opsdesk.analytics.kpis.engine import compute_kpis
    from stores.models import Store

    day = args.date or last_business_date()
    compute_kpis(business_date=day, trigger="bench")  # warm the caches, as the floor's
    turnover_floor(day)
    job, job_times = median_seconds(
        lambda: compute_kpis(business_date=day, trigger="bench"), args.repeat
    )
    floor, floor_times = median_seconds(lambda: turnover_floor(day), args.repeat)
    run = compute_kpis(business_date=day, trigger="bench")
    return {
        "date": day.isoformat(),
        "kpis": len(registry.all_kpis()),
        "chain_stores": Store.objects.count(),
        "stores": run.store_count,
        "floor_stores": turnover_floor(day),
        "rows": run.row_count,
        "seconds": round(job, 3),
        "floor_seconds": round(floor, 3),
        "ratio": round(job / floor, 2) if floor else None,
        "runs": [round(t, 3) for t in job_times],
        "floor_runs": [round(t, 3) for t in floor_times],
    }


def kpis_split(args) -> dict:
    """Where the job's time goes: each KPI's ``compute`` for every trading store, timed
    (median of ``--repeat``) alone and, in registry order inside one run cache as the
    job runs them, marginally (figures shared by several KPIs count for the first)."""
    from opsdesk.analytics.kpis import registry
    from opsdesk.analytics.kpis.engine import stores_for

    day = args.date or last_business_date()
    stores = stores_for(day)
    kpis = registry.all_kpis()
    run_cache = getattr(registry, "run_cache", None)  # absent before the shared pass
    alone = {}
    for kpi in kpis:
        alone[kpi.code] = round(
            median_seconds(lambda k=kpi: k.compute(day, stores), args.repeat)[0], 3
        )
    marginal = {}
    if run_cache is not None:
        runs = []
        for _ in range(args.repeat):
            times = {}
            with run_cache():
                for kpi in kpis:
                    started = time.perf_counter()
                    kpi.compute(day, stores)
                    times[kpi.code] = time.perf_counter() - started
            runs.append(times)
        marginal = {k.code: round(statistics.median(r[k.code] for r in runs), 3) for k in kpis}
    return {
        "date": day.isoformat(),
        "stores": len(stores),
        "alone": alone,
        "alone_total": round(sum(alone.values()), 3),
        "in_one_run": marginal,
        "in_one_run_total": round(sum(marginal.values()), 3),
    }


def kpis_backfill(args) -> dict:
    from opsdesk.analytics.kpis.engine import compute_range

    end = args.date or last_business_date()
    start = end - datetime.timedelta(days=args.days - 1)
    started = time.perf_counter()
    runs = compute_range(start=start, end=end, trigger="bench")
    seconds = time.perf_counter() - started
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": len(runs),
        "rows": sum(r.row_count for r in runs),
        "seconds": round(seconds, 2),
        "seconds_per_day": round(seconds / max(len(runs), 1), 3),
    }


# --- 5. A 1,000,000-row CSV export, against COPY ... TO STDOUT -----------------------


class _Null(io.RawIOBase):
    """A sink that counts bytes."""

    def __init__(self):
        self.bytes = 0

    def writable(self):
        return True

    def write(self, data):
        self.bytes += len(data)
        return len(data)


def _export_params(args) -> dict:
    """Filters giving about ``--rows`` rows of the dataset: the most recent business
    dates of stock movements, as a user would pick a period."""
    from inventory.models import StockMovement

    dates = (
        StockMovement.objects.values("business_date")
        .annotate(n=Count("id"))
        .order_by("-business_date")
    )
    total, first = 0, None
    for row in dates:
        total += row["n"]
        first = row["business_date"]
        if total >= args.rows:
            break
    return {"date_from": [first.isoformat()]}


def export_csv(args) -> dict:
    """The CSV export as a job and ``manage.py export_dataset`` write it (PostgreSQL
    formats and COPYs the rows), or as a page download streams it (``--path page``:
    server-side cursor and csv.writer)."""
    from opsdesk.analytics.reports import exports
    from opsdesk.platform.accounts.models import User

    user = User.objects.get(username="headoffice")
    params = _export_params(args)
    prepared = exports.prepare(args.dataset, "csv", user, params)
    sink = _Null()
    started = time.perf_counter()
    if args.path == "page":
        rows = 0
        counter: list[int] = []
        for chunk in exports.csv_chunks(prepared, None, counter):
            sink.write(chunk)
        rows = counter[0]
    else:
        rows = exports.write_csv(prepared, sink)
    seconds = time.perf_counter() - started
    return {
        "dataset": args.dataset,
        "path": "page stream" if args.path == "page" else "job (COPY of formatted cells)",
        "params": params,
        "rows": rows,
        "bytes": sink.bytes,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mb": round(peak_mb(), 1),
    }


COPY_FLOOR_SQL = """
SELECT m.id, m.business_date, m.created_at, s.code, p.sku, m.kind, m.quantity, m.unit_cost,
       m.on_hand_after, m.avg_cost_after, m.reference, m.reason, u.username
FROM inventory_stockmovement m
JOIN stores_store s ON s.id = m.store_id
JOIN inventory_product p ON p.id = m.product_id
LEFT JOIN accounts_user u ON u.id = m.created_by_id
WHERE m.business_date >= %s
"""


def copy_to(args) -> dict:
    """The floor: PostgreSQL's own COPY ... TO STDOUT of the same rows and columns,
    unformatted."""
    params = _export_params(args)
    with connection.cursor() as cursor:
        query = cursor.mogrify(COPY_FLOOR_SQL, [params["date_from"][0]]).decode()
        sink = _Null()
        started = time.perf_counter()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", sink)
        seconds = time.perf_counter() - started
        rows = cursor.rowcount
    return {
        "rows": rows,
        "bytes": sink.bytes,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
    }


# --- The POS import (issue 5), against COPY ... FROM ---------------------------------


def pos_file(args) -> dict:
    """Write a POS CSV of ``--rows`` lines (3 lines per receipt) for existing stores and
    SKUs, with receipt numbers that are new to this database."""
    import csv

    from inventory.models import Product
    from stores.models import Store

    stores = list(Store.objects.order_by("code").values_list("code", flat=True)[:50])
    products = list(Product.objects.order_by("sku").values_list("sku", "retail_price")[:500])
    day = last_business_date()
    stamp = int(time.time())
    with open(args.path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "store",
                "receipt_number",
                "sold_at",
                "line_number",
                "sku",
                "quantity",
                "unit_price",
                "net_amount",
            ]
        )
        for i in range(args.rows):
            receipt, line = divmod(i, 3)
            store = stores[receipt % len(stores)]
            sku, price = products[(receipt * 7 + line) % len(products)]
            sold = datetime.datetime.combine(day, datetime.time(10)) + datetime.timedelta(
                seconds=receipt % 30000
            )
            writer.writerow(
                [store, f"B{stamp}-{receipt}", sold.isoformat(), line + 1, sku, 1, price, price]
            )
    return {"path": args.path, "rows": args.rows, "bytes": os.path.getsize(args.path)}


def pos_import(args) -> dict:
    from sales.services import import_file

    started = time.perf_counter()

    def opener():
        return open(args.path, "rb")

    result = import_file(path_opener=opener, user=None, encoding="utf-8")
    seconds = time.perf_counter() - started
    if not result.written or result.lines_created + result.duplicates != args.rows:
        raise RuntimeError(f"the import did not write the file: {result}")
    return {
        "rows": args.rows,
        "receipts_created": result.receipts_created,
        "lines_created": result.lines_created,
        "duplicates": result.duplicates,
        "seconds": round(seconds, 2),
        "rows_per_s": round(args.rows / seconds),
        "peak_mb": round(peak_mb(), 1),
    }


def copy_from(args) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_pos (store text, receipt_number text, sold_at timestamptz,"
            " line_number int, sku text, quantity numeric(12,3), unit_price numeric(12,2),"
            " net_amount numeric(12,2))"
        )
        with open(args.path, encoding="utf-8") as handle:
            started = time.perf_counter()
            cursor.copy_expert("COPY bench_pos FROM STDIN WITH (FORMAT csv, HEADER)", handle)
            seconds = time.perf_counter() - started
    return {
        "rows": args.rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(args.rows / seconds),
    }


# --- The stock ledger (issue 4): 100,000 sale movements; the snapshot job ------------


def ledger_post(args) -> dict:
    from inventory.models import MovementKind, StockLevel
    from inventory.services.ledger import MovementSpec, stock_movements_post

    keys = list(
        StockLevel.objects.order_by("store_id", "product_id").values_list("store_id", "product_id")[
            : args.batch * 10
        ]
    )
    posted = 0
    started = time.perf_counter()
    while posted < args.rows:
        batch = [
            MovementSpec(
                store_id=keys[(posted + i) % len(keys)][0],
                product_id=keys[(posted + i) % len(keys)][1],
                kind=MovementKind.SALE,
                quantity=Decimal("-1"),
                unit_cost=None,
                reference="bench",
                reason="",
            )
            for i in range(min(args.batch, args.rows - posted))
        ]
        stock_movements_post(user=None, movements=batch, check_scope=False)
        posted += len(batch)
    seconds = time.perf_counter() - started
    return {
        "rows": posted,
        "batch": args.batch,
        "seconds": round(seconds, 2),
        "rows_per_s": round(posted / seconds),
        "peak_mb": round(peak_mb(), 1),
    }


def snapshot_job(args) -> dict:
    from inventory.services.snapshots import stock_snapshot_take
    from stores.models import Store

    day = args.date or last_business_date()
    stores = list(Store.objects.order_by("pk").values_list("pk", flat=True))
    rows = 0
    started = time.perf_counter()
    for store_id in stores:
        rows += stock_snapshot_take(store_id=store_id, business_date=day)
    seconds = time.perf_counter() - started
    return {
        "date": day.isoformat(),
        "stores": len(stores),
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mb": round(peak_mb(), 1),
    }


# --- 4. The dashboard: a logged-in session for the load tool -------------------------


def session(args) -> dict:
    from django.test import Client

    from opsdesk.platform.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    return {"cookie": f"sessionid={client.cookies['sessionid'].value}"}


def check_url(args) -> dict:
    from django.test import Client

    from opsdesk.platform.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=args.user))
    response = client.get(args.url)
    return {"status": response.status_code, "bytes": len(response.content)}


def region_url(args) -> dict:
    """The region dashboard of the first region ``--user`` (regional ops) covers."""
    from django.urls import reverse

    from opsdesk.platform.accounts.models import User
    from stores.models import Region

    user = User.objects.get(username=args.user)
    region = Region.objects.visible_to(user).order_by("code").first()
    return {"url": reverse("dashboards:region", kwargs={"pk": region.pk}), "region": region.code}


MEASUREMENTS = {
    "region_url": region_url,
    "kpis_one_date": kpis_one_date,
    "kpis_split": kpis_split,
    "kpis_backfill": kpis_backfill,
    "export_csv": export_csv,
    "copy_to": copy_to,
    "pos_file": pos_file,
    "pos_import": pos_import,
    "copy_from": copy_from,
    "ledger_post": ledger_post,
    "snapshot_job": snapshot_job,
    "session": session,
    "check_url": check_url,
}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    parser.add_argument("name", choices=sorted(MEASUREMENTS))
    parser.add_argument("--date", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--dataset", default="stock_movements")
    parser.add_argument("--path", default="var/bench/pos.csv")
    parser.add_argument("--user", default="regional")
    parser.add_argument("--url", default="/")
    args = parser.parse_args(argv)
    result = MEASUREMENTS[args.name](args)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
