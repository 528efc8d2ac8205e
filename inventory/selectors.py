"""Inventory reads: scoped querysets with their relations fetched here (no N+1)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.shortcuts import get_object_or_404

from stores.selectors import local_days_condition

from .models import (
    WRITE_OFF_KINDS,
    Category,
    MovementKind,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockSnapshot,
    StockSnapshotSummary,
    Supplier,
    Transfer,
    TransferLine,
)

ZERO = Decimal("0")


def category_list(*, user) -> QuerySet[Category]:
    return (
        Category.objects.visible_to(user).annotate(product_count=Count("products")).order_by("code")
    )


def product_list(*, user) -> QuerySet[Product]:
    return Product.objects.visible_to(user).select_related("category").order_by("sku")


def product_get(*, user, pk: int) -> Product:
    terms = ProductSupplier.objects.select_related("supplier").order_by(
        "-preferred", "supplier__code"
    )
    return get_object_or_404(
        product_list(user=user).prefetch_related(Prefetch("supplier_terms", queryset=terms)), pk=pk
    )


def supplier_list(*, user) -> QuerySet[Supplier]:
    return (
        Supplier.objects.visible_to(user)
        .annotate(product_count=Count("product_terms"))
        .order_by("code")
    )


def stock_level_list(*, user) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.visible_to(user)
        .select_related("store", "product", "product__category")
        .annotate(value_at_cost=F("on_hand") * F("avg_cost"))
        .order_by("store__code", "product__sku")
    )


def stock_movement_list(*, user) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.visible_to(user)
        .select_related("store", "product", "created_by")
        .order_by("-id")
    )


def purchase_order_list(*, user) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.visible_to(user)
        .select_related("store", "supplier")
        .annotate(
            line_count=Count("lines"),
            total=Sum(F("lines__quantity_ordered") * F("lines__unit_cost")),
        )
        .order_by("-created_at", "-id")
    )


def purchase_order_get(*, user, pk: int) -> PurchaseOrder:
    lines = PurchaseOrderLine.objects.select_related("product").order_by("pk")
    return get_object_or_404(
        purchase_order_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def transfer_list(*, user) -> QuerySet[Transfer]:
    return (
        Transfer.objects.visible_to(user)
        .select_related("source_store", "destination_store", "requested_by", "approved_by")
        .annotate(line_count=Count("lines"))
        .order_by("-requested_at", "-id")
    )


def transfer_get(*, user, pk: int) -> Transfer:
    lines = TransferLine.objects.select_related("product").order_by("pk")
    return get_object_or_404(
        transfer_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def stock_count_list(*, user) -> QuerySet[StockCount]:
    return (
        StockCount.objects.visible_to(user)
        .select_related("store", "category", "created_by", "approved_by")
        .annotate(line_count=Count("lines"), counted_count=Count("lines__counted_quantity"))
        .order_by("-created_at", "-id")
    )


def stock_count_get(*, user, pk: int) -> StockCount:
    lines = StockCountLine.objects.select_related("product", "product__category").order_by(
        "product__category__code", "product__sku"
    )
    return get_object_or_404(
        stock_count_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def stock_count_line_get(*, user, pk: int) -> StockCountLine:
    return get_object_or_404(
        StockCountLine.objects.visible_to(user).select_related("count", "product"), pk=pk
    )


# --- What the KPI job reads ------------------------------------------------------------
# Each function reads a bounded window of days for many stores in one or two queries
# (aggregated in the database, grouped by store), whatever the number of stores.


def _hours(duration: datetime.timedelta | None) -> Decimal:
    if duration is None:
        return ZERO
    seconds = Decimal(duration.days * 86400 + duration.seconds) + (
        Decimal(duration.microseconds) / Decimal(1_000_000)
    )
    return seconds / Decimal(3600)


_DURATION = DurationField()


def _cycle_orders(store_ids: list[int], start: datetime.date, end: datetime.date):
    return PurchaseOrder.objects.filter(
        local_days_condition(
            field="received_at", store_field="store_id", store_ids=store_ids, start=start, end=end
        ),
        status=PurchaseOrder.Status.RECEIVED,
        submitted_at__isnull=False,
    ).annotate(cycle=ExpressionWrapper(F("received_at") - F("submitted_at"), _DURATION))


def _cycle_transfers(store_ids: list[int], start: datetime.date, end: datetime.date):
    return Transfer.objects.filter(
        local_days_condition(
            field="received_at",
            store_field="destination_store_id",
            store_ids=store_ids,
            start=start,
            end=end,
        ),
        status=Transfer.Status.RECEIVED,
        approved_at__isnull=False,
    ).annotate(cycle=ExpressionWrapper(F("received_at") - F("approved_at"), _DURATION))


def _cycle_totals(queryset, store_field: str) -> dict[int, tuple[Decimal, int]]:
    rows = (
        queryset.values(store_field)
        .annotate(total=Sum("cycle", output_field=_DURATION), n=Count("pk"))
        .order_by()
    )
    return {row[store_field]: (_hours(row["total"]), row["n"]) for row in rows}


def kpi_order_cycle_hours(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, tuple[Decimal, int]]:
    """Per store: (Σ hours from submission to full receipt, orders) over the purchase
    orders fully received on a store-local date in ``start``..``end``. Two queries."""
    return _cycle_totals(_cycle_orders(store_ids, start, end), "store_id")


def kpi_order_cycle_hours_list(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> list[Decimal]:
    """Each such order's hours (for percentiles), sorted. Two queries."""
    cycles = _cycle_orders(store_ids, start, end).order_by("cycle").values_list("cycle", flat=True)
    return [_hours(c) for c in cycles]


def kpi_transfer_cycle_hours(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, tuple[Decimal, int]]:
    """Per destination store: (Σ hours from approval to receipt, transfers) over the
    transfers received on its local date in ``start``..``end``. Two queries."""
    return _cycle_totals(_cycle_transfers(store_ids, start, end), "destination_store_id")


def kpi_transfer_cycle_hours_list(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> list[Decimal]:
    """Each such transfer's hours (for percentiles), sorted. Two queries."""
    cycles = (
        _cycle_transfers(store_ids, start, end).order_by("cycle").values_list("cycle", flat=True)
    )
    return [_hours(c) for c in cycles]


_MOVEMENT_VALUE = ExpressionWrapper(
    F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=24, decimal_places=7)
)
_SOLD_KINDS = [MovementKind.SALE, MovementKind.CUSTOMER_RETURN]


def _movements(store_ids: list[int], start: datetime.date, end: datetime.date):
    return StockMovement.objects.filter(
        store_id__in=store_ids, business_date__gte=start, business_date__lte=end
    )


_RECEIVED_KINDS = [MovementKind.RECEIPT, MovementKind.TRANSFER_IN]
# Shrinkage: negative count adjustments and write-offs (a positive adjustment is not
# netted against them).
_LOST = Q(kind=MovementKind.COUNT_ADJUSTMENT, quantity__lt=0) | Q(kind__in=WRITE_OFF_KINDS)


@dataclass(frozen=True)
class KpiMovementTotals:
    """One store's movements over a window, summed for the inventory KPIs. A figure is
    ``None`` when the store has no movement of its kinds in the window."""

    # −Σ quantity × unit cost of sale and customer_return movements (returns reduce it).
    cost_of_goods_sold: Decimal | None
    # (units sold net of customer returns, units received from suppliers and transfers
    # in); None without any sale, customer_return, receipt or transfer_in movement.
    units_sold_received: tuple[Decimal, Decimal] | None
    # −Σ quantity × unit cost of negative count_adjustment and write_off_* movements.
    shrinkage_value: Decimal | None


def kpi_movement_totals(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, KpiMovementTotals]:
    """Per store with movements of those kinds over ``start``..``end``: the figures of
    turnover, sell-through and shrinkage, from one pass over the window's movements
    (they read the same days: one scan instead of three). One query."""
    if not store_ids:
        return {}
    sold = Q(kind__in=_SOLD_KINDS)
    received = Q(kind__in=_RECEIVED_KINDS)
    rows = (
        _movements(store_ids, start, end)
        .filter(sold | received | _LOST)
        .values("store_id")
        .annotate(
            cogs=Sum(_MOVEMENT_VALUE, filter=sold),
            sold=Sum("quantity", filter=sold),
            received=Sum("quantity", filter=received),
            lost=Sum(_MOVEMENT_VALUE, filter=_LOST),
        )
        .order_by()
    )
    totals = {}
    for row in rows:
        moved = row["sold"] is not None or row["received"] is not None
        totals[row["store_id"]] = KpiMovementTotals(
            cost_of_goods_sold=None if row["cogs"] is None else -row["cogs"],
            units_sold_received=(-(row["sold"] or ZERO), row["received"] or ZERO)
            if moved
            else None,
            shrinkage_value=None if row["lost"] is None else -row["lost"],
        )
    return totals


def kpi_inventory_value(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, tuple[Decimal, int]]:
    """Per store: (Σ inventory value at cost at close, days with a snapshot) over the
    business dates ``start``..``end``, from the snapshot summaries. One query."""
    rows = (
        StockSnapshotSummary.objects.filter(
            store_id__in=store_ids, business_date__gte=start, business_date__lte=end
        )
        .values("store_id")
        .annotate(value=Sum("value"), days=Count("pk"))
        .order_by()
    )
    return {row["store_id"]: (row["value"] or ZERO, row["days"]) for row in rows}


def kpi_units_on_hand(*, date: datetime.date, store_ids: list[int]) -> dict[int, Decimal]:
    """Per store with a snapshot that date: units on hand at its close. One query."""
    return dict(
        StockSnapshotSummary.objects.filter(store_id__in=store_ids, business_date=date)
        .order_by()
        .values_list("store_id", "on_hand")
    )


def kpi_stockouts(
    *, date: datetime.date, store_ids: list[int], active_days: int = 28
) -> dict[int, tuple[int, int]]:
    """Per store with an active SKU in its snapshot at ``date``: (active SKUs out of
    stock at close, active SKUs), active = sold (a ``sale`` movement) in the
    ``active_days`` days ending on ``date``, i.e. the snapshot's ``last_sold_on`` is in
    them; out of stock = on hand ≤ 0 in that snapshot. One query over one day of
    snapshots, whatever the length of history."""
    if not store_ids:
        return {}
    first = date - datetime.timedelta(days=active_days - 1)
    rows = (
        StockSnapshot.objects.filter(
            store_id__in=store_ids, business_date=date, last_sold_on__gte=first
        )
        .values("store_id")
        .annotate(active=Count("pk"), out=Count("pk", filter=Q(on_hand__lte=0)))
        .order_by()
        .values_list("store_id", "out", "active")
    )
    return {store_id: (out, active) for store_id, out, active in rows}


# --- replenishment (services/replenishment/ builds the suggestions from these) ------


def replenishment_rule_list(*, user) -> QuerySet:
    """Reorder rules in scope whose stock position (on hand + on order) is at or below
    the reorder point and short of the order-up-to level: the suggestion lines. On order
    = what open purchase orders (draft, submitted, partially received) still bring."""
    from django.db.models import DecimalField, ExpressionWrapper, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from stores.models import Store

    from .models import ReorderRule

    qty = DecimalField(max_digits=12, decimal_places=3)
    on_hand = StockLevel.objects.filter(
        store=OuterRef("store"), product=OuterRef("product")
    ).values("on_hand")[:1]
    open_statuses = [
        PurchaseOrder.Status.DRAFT,
        PurchaseOrder.Status.SUBMITTED,
        PurchaseOrder.Status.PARTIALLY_RECEIVED,
    ]
    on_order = (
        PurchaseOrderLine.objects.filter(
            purchase_order__store=OuterRef("store"),
            product=OuterRef("product"),
            purchase_order__status__in=open_statuses,
        )
        .order_by()
        .values("product")
        .annotate(outstanding=Sum(F("quantity_ordered") - F("quantity_received")))
        .values("outstanding")
    )
    zero = Value(0, output_field=qty)
    return (
        ReorderRule.objects.visible_to(user)
        .filter(
            store__status__in=[Store.Status.OPEN, Store.Status.TEMPORARILY_CLOSED],
            product__active=True,
        )
        .annotate(
            on_hand=Coalesce(Subquery(on_hand, output_field=qty), zero),
            on_order=Coalesce(Subquery(on_order, output_field=qty), zero),
        )
        .annotate(position=ExpressionWrapper(F("on_hand") + F("on_order"), output_field=qty))
        .filter(position__lte=F("reorder_point"), position__lt=F("order_up_to"))
        .select_related("store", "store__region", "product", "product__category")
        .order_by("store__code", "product__sku")
    )


def replenishment_excess_list(*, region_ids, product_ids) -> QuerySet[StockLevel]:
    """Stock above its store's order-up-to level, in active stores of the given regions:
    what a short store may ask for by transfer (largest excess first). Not narrowed to
    the user: a store's neighbours in its region are named as transfer sources."""
    from django.db.models import DecimalField, ExpressionWrapper, OuterRef, Subquery

    from stores.models import Store

    from .models import ReorderRule

    qty = DecimalField(max_digits=12, decimal_places=3)
    up_to = ReorderRule.objects.filter(store=OuterRef("store"), product=OuterRef("product")).values(
        "order_up_to"
    )[:1]
    return (
        StockLevel.objects.filter(
            store__region__in=list(region_ids),
            store__status__in=[Store.Status.OPEN, Store.Status.TEMPORARILY_CLOSED],
            product__in=list(product_ids),
        )
        .annotate(order_up_to=Subquery(up_to, output_field=qty))
        .filter(order_up_to__isnull=False)
        .annotate(excess=ExpressionWrapper(F("on_hand") - F("order_up_to"), output_field=qty))
        .filter(excess__gt=0)
        .select_related("store")
        .order_by("-excess", "store__code")
    )


def replenishment_batch_get(*, user, store_id: int, key: str):
    """A replenishment action of a store in scope, with its orders and transfers."""
    from .models import ReplenishmentBatch

    return (
        ReplenishmentBatch.objects.visible_to(user)
        .filter(store_id=store_id, key=key)
        .prefetch_related(
            Prefetch(
                "purchase_orders",
                queryset=purchase_order_list(user=user).order_by("pk"),
            ),
            Prefetch("transfers", queryset=transfer_list(user=user).order_by("pk")),
        )
        .first()
    )
