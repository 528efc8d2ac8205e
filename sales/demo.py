"""The sales part of the demo chain (``seed_demo``): the chain's point of sale.

``PosDemo`` is the POS feed of the inventory demo's day-by-day simulation
(``inventory.demo.PosFeed``): for each open store and day it makes the day's receipts (a
weekday profile, a gentle seasonality, a store size, promotions lifting their products,
some returns), never selling more than the store holds, and hands back each line's stock
movement made by the POS import's own rule (``sale_movement``: a sale or a customer
return, ``POS <receipt>``, at noon of the business date in the store's zone). So the
ledger's sale movements are the receipts' lines: same stores, business dates and units.

Each day is written when it ends (PostgreSQL ``COPY``, receipt ids reserved from their
sequence), and its ``DailySales`` are recomputed by the import's own
``daily_sales_recompute``; memory holds one day. The history is the inventory's (``days``
days before ``today``) plus today so far. Also: a POS import source, two finished import
batches (today's receipts), up to three promotions (through ``promotion_create``) and this
month's chain target split by the weekday profile. Deterministic per seed.
"""

from __future__ import annotations

import bisect
import collections
import datetime
import itertools
import math
import random
import zoneinfo
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Sum

from opsdesk.platform.db import COPY_NULL as NULL
from opsdesk.platform.db import copy_rows as _copy
from stores.models import Store

from .models import DailySales, ImportBatch, ImportSource, Method, Receipt, SalesLine
from .services.daily import daily_sales_recompute
from .services.imports import sale_movement, sale_movement_at
from .services.promotions import promotion_create
from .services.targets import DEFAULT_WEEKDAY_PROFILE, month_target_set

D = Decimal
CENT = D("0.01")
CASHIERS = ["王芳", "李伟", "张敏", "刘洋", "陈静", "Tan Wei Ming", "Siti Aminah", "Somchai K."]
RECEIPT_COLUMNS = [
    "id",
    "store_id",
    "business_date",
    "sold_at",
    "receipt_number",
    "till",
    "cashier",
    "source",
    "batch_id",
]
LINE_COLUMNS = [
    "receipt_id",
    "line_number",
    "sku",
    "product_id",
    "quantity",
    "unit_price",
    "discount",
    "net_amount",
]
ID_BLOCK = 10_000
PROMOTION_DISCOUNT = D("0.20")


def _weekday_factor(date: datetime.date) -> float:
    return float(DEFAULT_WEEKDAY_PROFILE[date.weekday()])


def _season(date: datetime.date) -> float:
    return 1 + 0.12 * math.sin(2 * math.pi * (date.timetuple().tm_yday - 80) / 365)


class _ReceiptIds:
    """Receipt ids reserved in blocks from the table's own sequence, so that receipts and
    their lines can be written with ``COPY`` (which returns no ids)."""

    def __init__(self):
        self.free: collections.deque[int] = collections.deque()
        self.next_local = None

    def take(self) -> int:
        if not self.free:
            self.free.extend(self._reserve(ID_BLOCK))
        return self.free.popleft()

    def _reserve(self, count: int) -> list[int]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [Receipt._meta.db_table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if self.next_local is None:  # SQLite: one process seeds, ids follow the largest
            last = Receipt.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next_local = (last or 0) + 1
        start, self.next_local = self.next_local, self.next_local + count
        return list(range(start, start + count))


class PosDemo:
    """The demo's point of sale; see the module docstring."""

    def __init__(self, *, chain, skus: int, days: int, seed: int, today: datetime.date):
        self.rng = random.Random(f"sales-{seed}")
        self.chain = chain
        self.skus = skus
        self.today = today
        self.stores = [s for s in chain.stores if s.status == Store.Status.OPEN]
        self.open_ids = {s.pk for s in self.stores}
        self.zones = {s.pk: zoneinfo.ZoneInfo(s.time_zone) for s in self.stores}
        self.sizes = {s.pk: self.rng.uniform(0.7, 1.4) for s in self.stores}
        # About one unit per product and store a day (3.6 units a receipt).
        self.base_receipts = max(6, skus // 4)
        self.source = ImportSource.objects.create(
            code="demo-pos",
            name="Demo POS export",
            column_mapping={"store": "store_code", "receipt_number": "receipt_no"},
            encoding="utf-8",
        )
        self.products: list[tuple[int, str, Decimal]] = []
        self.cumulative: list[float] = []
        self.promo_lookup: dict[tuple[int, datetime.date], set[int]] = {}
        self.promotions = 0
        self.batches: dict[str, ImportBatch] = {}
        self.ids = _ReceiptIds()
        self.receipt_rows: list[str] = []
        self.line_rows: list[str] = []
        self.touched: set[tuple[int, datetime.date]] = set()
        self.receipts = 0
        self.lines = 0

    # --- inventory.demo.PosFeed --------------------------------------------------------

    def start(self, *, products, first_date: datetime.date, today: datetime.date) -> None:
        self.products = [
            (p.pk, p.sku, p.retail_price if p.retail_price > 0 else D("9.90"))
            for p in sorted(products, key=lambda p: p.pk)
            if p.active
        ][: max(self.skus, 1)]
        # Some products sell more than others.
        weights = [self.rng.choice((1, 1, 2, 2, 3, 4, 6)) for _p in self.products]
        self.cumulative = list(itertools.accumulate(weights))
        if not self.products or not self.stores:
            return
        for promo, store_ids, product_ids in self._promotions(first_date, today):
            day = promo.start_date
            while day <= promo.end_date:
                for store_id in store_ids:
                    self.promo_lookup.setdefault((store_id, day), set()).update(product_ids)
                day += datetime.timedelta(days=1)
        users = self.chain.users
        for key, user, name in (
            ("manager", users.get("manager"), "pos-export-sh001.csv"),
            ("head", users.get("headoffice"), "pos-export-chain.csv"),
        ):
            self.batches[key] = ImportBatch.objects.create(
                source=self.source,
                channel=ImportBatch.Channel.DEMO,
                uploaded_by=user,
                status=ImportBatch.Status.DONE,
                file_name=name,
                encoding="utf-8",
                mode=ImportBatch.Mode.ALL_OR_NOTHING,
            )

    def store_day(self, store, date, on_hand, *, partial: bool = False) -> list:
        if (
            not self.products
            or store.pk not in self.open_ids
            or (store.opening_date and store.opening_date > date)
        ):
            return []
        rng = self.rng
        zone = self.zones[store.pk]
        factor = _weekday_factor(date) * _season(date)
        count = max(
            1, round(self.base_receipts * self.sizes[store.pk] * factor * rng.uniform(0.85, 1.15))
        )
        last_minute = 21 * 60 + 30
        if partial:  # today: the morning's receipts so far
            count, last_minute = max(1, count // 2), 13 * 60 + 59
        on_promo = self.promo_lookup.get((store.pk, date), set())
        batch = None
        if date == self.today and self.batches:
            first = self.chain.stores[0].pk
            batch = self.batches["manager" if store.pk == first else "head"]
        left: dict[int, int] = {}  # product -> units still on the shelf today
        at = sale_movement_at(date, zone)
        movements = []
        number = 0
        for _n in range(count):
            lines = self._receipt_lines(on_promo, on_hand, left, rng.random() < 0.03)
            if not lines:
                continue
            number += 1
            receipt_id = self.ids.take()
            receipt_number = f"{store.code}-{date:%Y%m%d}-{number:04d}"
            minute = rng.randint(9 * 60, last_minute)
            sold_at = datetime.datetime.combine(
                date, datetime.time(minute // 60, minute % 60, rng.randint(0, 59)), zone
            )
            self.receipt_rows.append(
                f"{receipt_id}\t{store.pk}\t{date.isoformat()}\t{sold_at.isoformat()}\t"
                f"{receipt_number}\tT{rng.randint(1, 4)}\t{rng.choice(CASHIERS)}\t"
                f"{ImportBatch.Channel.DEMO.value}\t{batch.pk if batch else NULL}\n"
            )
            for line_number, (product_id, sku, qty, price, discount, net) in enumerate(
                lines, start=1
            ):
                self.line_rows.append(
                    f"{receipt_id}\t{line_number}\t{sku}\t{product_id}\t{qty}\t{price}\t"
                    f"{discount}\t{net}\n"
                )
                movements.append(
                    (
                        sale_movement(
                            store_id=store.pk,
                            product_id=product_id,
                            quantity=qty,
                            receipt_number=receipt_number,
                        ),
                        at,
                    )
                )
            self.receipts += 1
            self.lines += len(lines)
        if number:
            self.touched.add((store.pk, date))
        return movements

    def end_day(self, date: datetime.date) -> None:
        if self.receipt_rows:
            _copy(Receipt, RECEIPT_COLUMNS, self.receipt_rows)
            _copy(SalesLine, LINE_COLUMNS, self.line_rows)
        self.receipt_rows, self.line_rows = [], []
        if not self.touched:
            return
        # The import's own derivation of the day's figures; footfall is recorded apart.
        daily_sales_recompute(store_dates=self.touched)
        rows = list(
            DailySales.objects.filter(
                business_date=date, store_id__in={s for s, _d in self.touched}
            ).order_by("store_id")
        )
        for row in rows:
            row.footfall = int(row.transactions * self.rng.uniform(2.5, 4.0))
        DailySales.objects.bulk_update(rows, ["footfall"], batch_size=2000)
        self.touched = set()

    # --- after the simulation ------------------------------------------------------------

    def finish(self) -> dict:
        """The import batches' figures and this month's chain target."""
        for batch in self.batches.values():
            batch.receipts_created = Receipt.objects.filter(batch=batch).count()
            batch.lines_created = SalesLine.objects.filter(receipt__batch=batch).count()
            batch.rows_total = batch.rows_done = batch.lines_created
            batch.finished_at = datetime.datetime.combine(
                self.today, datetime.time(14, 30), datetime.UTC
            )
            batch.save()
        target = self._month_target()
        return {
            "receipts": self.receipts,
            "lines": self.lines,
            "promotions": self.promotions,
            "month_target": target.amount if target else None,
        }

    # --- helpers -------------------------------------------------------------------------

    def _receipt_lines(self, on_promo, on_hand, left, is_return) -> list[tuple]:
        rng = self.rng
        lines = []
        for _i in range(rng.choice((1, 1, 2, 2, 3, 4))):
            index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
            product_id, sku, price = self.products[min(index, len(self.products) - 1)]
            qty = rng.choice((1, 1, 1, 2, 2, 3))
            promoted = product_id in on_promo
            if promoted:
                qty += rng.choice((1, 1, 2))
            if is_return and not lines:
                qty, promoted = -1, False  # a customer brings one back
            else:
                shelf = left.get(product_id)
                if shelf is None:
                    shelf = max(int(on_hand(product_id)), 0)
                qty = min(qty, shelf)
                if qty <= 0:
                    continue  # sold out: the customer takes something else, or nothing
                left[product_id] = shelf - qty
            quantity = D(qty)
            discount = (price * quantity * PROMOTION_DISCOUNT).quantize(CENT) if promoted else D(0)
            net = (price * quantity - discount).quantize(CENT)
            lines.append((product_id, sku, quantity, price, discount, net))
        return lines

    def _promotions(self, first_date, today):
        """Up to three week-long promotions in the history (the last ends today): some
        stores, a few products; created as head office would."""
        head = self.chain.users.get("headoffice")
        if head is None:
            return []
        made = []
        names = [
            ("Spring fresh week / 春季鲜品周", D("15.00")),
            ("Dairy days / 乳品节", D("10.00")),
            ("Snack attack / 零食狂欢", D("20.00")),
        ]
        stores = self.stores
        for i, (name, pct) in enumerate(names):
            first = today - datetime.timedelta(days=6 + i * 12)
            if first < first_date:
                continue
            # The first store (the demo "manager"'s) takes part in every promotion.
            store_ids = {stores[0].pk} | {
                s.pk for s in self.rng.sample(stores, max(1, len(stores) // 2))
            }
            product_ids = {p[0] for p in self.rng.sample(self.products, min(len(self.products), 3))}
            promo = promotion_create(
                user=head,
                name=name,
                start_date=first,
                end_date=first + datetime.timedelta(days=6),
                discount_pct=pct,
                store_ids=sorted(store_ids),
                product_ids=sorted(product_ids),
            )
            made.append((promo, store_ids, product_ids))
        self.promotions = len(made)
        return made

    def _month_target(self):
        """This month's chain target: the last 28 days' run rate, plus 5 %, split by the
        weekday profile."""
        head = self.chain.users.get("headoffice")
        if head is None:
            return None
        since = self.today - datetime.timedelta(days=28)
        recent = DailySales.objects.filter(business_date__gte=since, business_date__lt=self.today)
        total = recent.aggregate(total=Sum("net_sales"))["total"]
        span = recent.values("business_date").distinct().count()
        if not total or not span:
            return None
        month = self.today.replace(day=1)
        month_len = ((month + datetime.timedelta(days=32)).replace(day=1) - month).days
        amount = (total / span * month_len * D("1.05")).quantize(D("100"))
        if amount <= 0:
            return None
        return month_target_set(user=head, month=month, amount=amount, method=Method.WEEKDAY)


def average_daily_sales(*, since: datetime.date, until: datetime.date) -> dict[int, Decimal]:
    """Each store's average day's net sales from ``since`` to the day before ``until`` (the
    staff demo sets hourly costs from it)."""
    return dict(
        DailySales.objects.filter(business_date__gte=since, business_date__lt=until)
        .values("store_id")
        .annotate(avg=Avg("net_sales"))
        .values_list("store_id", "avg")
    )
