"""Sales reads, scoped to the user, with their relations and aggregates fetched here.

Attainment = net sales month-to-date ÷ target month-to-date. Pacing = the run rate
(MTD sales ÷ elapsed days × days in the month) against the month's target. Roll-ups are
ratios of sums, never averages of ratios.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from inventory.models import Product
from stores.models import Region, Store

from .models import (
    DailySales,
    DayTarget,
    ImportBatch,
    MonthTarget,
    Promotion,
    Receipt,
    RegionTarget,
    SalesLine,
    StoreTarget,
)

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def first_of_month(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def days_in_month(date: datetime.date) -> int:
    return calendar.monthrange(date.year, date.month)[1]


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


# --- Receipts and daily sales --------------------------------------------------------


def receipt_list(*, user) -> QuerySet[Receipt]:
    return (
        Receipt.objects.visible_to(user)
        .select_related("store")
        .annotate(
            total=Coalesce(Sum("lines__net_amount"), Value(ZERO), output_field=MONEY),
            line_count=Count("lines"),
        )
        .order_by("-business_date", "store__code", "-sold_at", "-id")
    )


def receipt_get(*, user, pk: int) -> Receipt:
    lines = SalesLine.objects.select_related("product").order_by("line_number")
    return get_object_or_404(
        receipt_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def daily_sales_list(*, user) -> QuerySet[DailySales]:
    return (
        DailySales.objects.visible_to(user)
        .select_related("store", "store__region")
        .order_by("-business_date", "store__code")
    )


def import_batch_list(*, user) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.visible_to(user).select_related("source", "uploaded_by")


def import_batch_get(*, user, pk: int) -> ImportBatch:
    return get_object_or_404(import_batch_list(user=user), pk=pk)


# --- Targets -------------------------------------------------------------------------


def month_target_list(*, user) -> QuerySet[MonthTarget]:
    return MonthTarget.objects.visible_to(user).select_related("set_by").order_by("-month")


def region_target_list(*, user) -> QuerySet[RegionTarget]:
    return (
        RegionTarget.objects.visible_to(user)
        .select_related("region", "month_target")
        .order_by("-month_target__month", "region__code")
    )


def store_target_list(*, user) -> QuerySet[StoreTarget]:
    return (
        StoreTarget.objects.visible_to(user)
        .select_related("store", "store__region", "month_target")
        .order_by("-month_target__month", "store__region__code", "store__code")
    )


def day_target_list(*, user) -> QuerySet[DayTarget]:
    return DayTarget.objects.visible_to(user).select_related("store").order_by("store", "date")


# --- Attainment and pacing -----------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    mtd_sales: Decimal
    mtd_target: Decimal | None
    month_target: Decimal | None
    elapsed_days: int
    month_days: int

    @property
    def attainment(self) -> Decimal | None:
        """MTD net sales ÷ MTD target (1 = on target)."""
        return ratio(self.mtd_sales, self.mtd_target)

    @property
    def projection(self) -> Decimal:
        """The run rate to month end: MTD sales ÷ elapsed days × days in the month."""
        if not self.elapsed_days:
            return ZERO
        return (self.mtd_sales / self.elapsed_days * self.month_days).quantize(Decimal("0.01"))

    @property
    def pacing(self) -> Decimal | None:
        """The projection ÷ the month's target."""
        return ratio(self.projection, self.month_target)

    @classmethod
    def total(cls, rows: list[Attainment], date: datetime.date) -> Attainment:
        def add(values):
            present = [v for v in values if v is not None]
            return sum(present, ZERO) if present else None

        return cls(
            mtd_sales=sum((r.mtd_sales for r in rows), ZERO),
            mtd_target=add(r.mtd_target for r in rows),
            month_target=add(r.month_target for r in rows),
            elapsed_days=date.day,
            month_days=days_in_month(date),
        )


def _mtd_annotations(date: datetime.date) -> dict:
    start = first_of_month(date)
    sales = (
        DailySales.objects.filter(
            store=OuterRef("pk"), business_date__gte=start, business_date__lte=date
        )
        .values("store")
        .annotate(t=Sum("net_sales"))
        .values("t")
    )
    target = (
        DayTarget.objects.filter(store=OuterRef("pk"), date__gte=start, date__lte=date)
        .values("store")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    month = StoreTarget.objects.filter(store=OuterRef("pk"), month_target__month=start).values(
        "amount"
    )[:1]
    return {
        "mtd_sales": Coalesce(Subquery(sales, output_field=MONEY), Value(ZERO), output_field=MONEY),
        "mtd_target": Subquery(target, output_field=MONEY),
        "month_target": Subquery(month, output_field=MONEY),
    }


def attainment_list(*, user, date: datetime.date) -> QuerySet[Store]:
    """Stores in scope, each annotated with mtd_sales, mtd_target and month_target: one
    query whatever the number of stores. ``store_attainment`` turns a row into figures."""
    return (
        Store.objects.visible_to(user)
        .exclude(status=Store.Status.PLANNED)
        .select_related("region")
        .annotate(**_mtd_annotations(date))
        .order_by("region__code", "code")
    )


def store_attainment(store: Store, date: datetime.date) -> Attainment:
    """From a store annotated by ``attainment_list`` (no query)."""
    return Attainment(
        mtd_sales=store.mtd_sales,
        mtd_target=store.mtd_target,
        month_target=store.month_target,
        elapsed_days=date.day,
        month_days=days_in_month(date),
    )


@dataclass(frozen=True)
class RegionAttainment:
    region: Region
    figures: Attainment
    stores: list[tuple[Store, Attainment]]


def attainment_by_region(*, user, date: datetime.date) -> list[RegionAttainment]:
    """Region roll-ups (ratio of sums) over the stores in scope, with their stores."""
    groups: dict[int, list[tuple[Store, Attainment]]] = {}
    regions: dict[int, Region] = {}
    for store in attainment_list(user=user, date=date):
        regions[store.region_id] = store.region
        groups.setdefault(store.region_id, []).append((store, store_attainment(store, date)))
    return [
        RegionAttainment(
            region=regions[rid],
            figures=Attainment.total([a for _s, a in rows], date),
            stores=rows,
        )
        for rid, rows in groups.items()
    ]


@dataclass(frozen=True)
class StoreDay:
    store: Store
    date: datetime.date
    daily: DailySales | None
    day_target: Decimal | None
    attainment: Attainment

    @property
    def day_attainment(self) -> Decimal | None:
        return ratio(self.daily.net_sales if self.daily else ZERO, self.day_target)


def store_day(*, user, store_pk: int, date: datetime.date) -> StoreDay:
    """A store's sales day: its totals, the day's target and the month-to-date figures."""
    store = get_object_or_404(attainment_list(user=user, date=date), pk=store_pk)
    daily = DailySales.objects.filter(store=store, business_date=date).first()
    day_target = (
        DayTarget.objects.filter(store=store, date=date).values_list("amount", flat=True).first()
    )
    return StoreDay(
        store=store,
        date=date,
        daily=daily,
        day_target=day_target,
        attainment=store_attainment(store, date),
    )


# --- Promotions ----------------------------------------------------------------------


def promotion_list(*, user) -> QuerySet[Promotion]:
    """Promotions reaching a store in scope; their ``stores`` are only those in scope."""
    return (
        Promotion.objects.visible_to(user)
        .prefetch_related(
            Prefetch("stores", queryset=Store.objects.visible_to(user).order_by("code")),
            Prefetch("products", queryset=Product.objects.order_by("sku")),
        )
        .order_by("-start_date", "name", "pk")
    )


def promotion_get(*, user, pk: int) -> Promotion:
    return get_object_or_404(promotion_list(user=user), pk=pk)


@dataclass(frozen=True)
class Uplift:
    promo_days: int
    promo_sales: Decimal
    baseline_sales: Decimal  # the same weekdays of the 4 weeks before, per promo day

    @property
    def uplift(self) -> Decimal | None:
        """Promotion sales ÷ baseline − 1 (0.25 = 25 % more than usual)."""
        if not self.baseline_sales:
            return None
        return self.promo_sales / self.baseline_sales - 1


def promotion_uplift(*, user, promotion: Promotion) -> Uplift:
    """Net sales of the promoted products in the promoted stores (those in the user's
    scope) over the promotion's days, against the average of the same weekdays in the
    4 weeks before each day. One aggregate query."""
    days = []
    day = promotion.start_date
    while day <= promotion.end_date:
        days.append(day)
        day += datetime.timedelta(days=1)
    baseline_days = {d - datetime.timedelta(weeks=w) for d in days for w in range(1, 5)}
    # A baseline day inside the promotion itself is left out of the baseline.
    baseline_days -= set(days)
    stores = Store.objects.visible_to(user).filter(promotions=promotion).values("pk")
    lines = SalesLine.objects.filter(
        receipt__store__in=stores,
        product__in=promotion.products.values("pk"),
        receipt__business_date__in=[*days, *baseline_days],
    )
    sums = lines.aggregate(
        promo=Sum("net_amount", filter=Q(receipt__business_date__in=days)),
        base=Sum("net_amount", filter=Q(receipt__business_date__in=baseline_days)),
    )
    promo = sums["promo"] or ZERO
    base_total = sums["base"] or ZERO
    # Average of the baseline per promo day: 4 weeks each (fewer if some fell inside).
    per_day = base_total / len(baseline_days) if baseline_days else ZERO
    return Uplift(
        promo_days=len(days),
        promo_sales=promo,
        baseline_sales=(per_day * len(days)).quantize(Decimal("0.01")),
    )


# --- What the KPI job reads ----------------------------------------------------------


@dataclass(frozen=True)
class SalesKpiInputs:
    """One store's business date: numerators and denominators of the sales KPIs.

    sales_attainment_mtd = mtd_net_sales / mtd_target
    atv = net_sales / transactions; upt = units / transactions
    complaints_per_1k_txn = complaints × 1000 / transactions (complaints from customers)
    sales_per_labor_hour = net_sales / labor hours (hours from staff)
    """

    store_id: int
    net_sales: Decimal
    transactions: int
    units: Decimal
    mtd_net_sales: Decimal
    mtd_target: Decimal | None


def kpi_sales_inputs(
    *, date: datetime.date, store_ids: list[int] | None = None
) -> dict[int, SalesKpiInputs]:
    """Every (or the given) non-planned store's inputs for ``date``, in one query."""
    day_rows = DailySales.objects.filter(store=OuterRef("pk"), business_date=date)
    stores = (
        Store.objects.exclude(status=Store.Status.PLANNED)
        .annotate(
            **_mtd_annotations(date),
            net_sales=Subquery(day_rows.values("net_sales")[:1], output_field=MONEY),
            transactions=Subquery(day_rows.values("transactions")[:1]),
            units=Subquery(day_rows.values("units")[:1], output_field=MONEY),
        )
        .order_by("pk")
    )
    if store_ids is not None:
        stores = stores.filter(pk__in=store_ids)
    return {
        s.pk: SalesKpiInputs(
            store_id=s.pk,
            net_sales=s.net_sales or ZERO,
            transactions=s.transactions or 0,
            units=s.units or ZERO,
            mtd_net_sales=s.mtd_sales,
            mtd_target=s.mtd_target,
        )
        for s in stores
    }


def kpi_sales_day_targets(
    *, date: datetime.date, store_ids: list[int]
) -> dict[int, tuple[Decimal, Decimal]]:
    """Per store with a day target on ``date``: (that day's net sales, its target), so
    that summing the days from the 1st gives month-to-date attainment. One query."""
    sales = DailySales.objects.filter(store_id=OuterRef("store_id"), business_date=date).values(
        "net_sales"
    )[:1]
    rows = (
        DayTarget.objects.filter(store_id__in=store_ids, date=date)
        .annotate(sales=Subquery(sales, output_field=MONEY))
        .order_by()
        .values_list("store_id", "sales", "amount")
    )
    return {store_id: (sales or ZERO, amount) for store_id, sales, amount in rows}


def kpi_net_sales(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, Decimal]:
    """Per store with sales in ``start``..``end``: net sales (returns deducted). One query."""
    rows = (
        DailySales.objects.filter(
            store_id__in=store_ids, business_date__gte=start, business_date__lte=end
        )
        .values("store_id")
        .annotate(total=Sum("net_sales"))
        .order_by()
    )
    return {row["store_id"]: row["total"] or ZERO for row in rows}
