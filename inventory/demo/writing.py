"""Writing the simulated history: movements, levels and snapshots by COPY."""

from __future__ import annotations

from opsdesk.platform.db import COPY_NULL as NULL
from opsdesk.platform.db import copy_rows as _copy

from ..models import (
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockSnapshotRun,
    Transfer,
    TransferLine,
)
from ..services.snapshots import stock_snapshot_summary_rebuild

SNAPSHOT_COLUMNS = [
    "store_id",
    "product_id",
    "business_date",
    "on_hand",
    "avg_cost",
    "value",
    "last_sold_on",
]


def _ref(value) -> str:
    return value if isinstance(value, str) else value.number


def _write(sim, stores, products, managers):
    orders = PurchaseOrder.objects.bulk_create([order for order, _lines in sim.orders])
    for order, (_o, lines) in zip(orders, sim.orders, strict=True):
        for line in lines:
            line.purchase_order = order
    PurchaseOrderLine.objects.bulk_create(
        [line for _o, lines in sim.orders for line in lines], batch_size=5000
    )
    transfers = Transfer.objects.bulk_create([t for t, _lines in sim.transfers])
    for transfer, (_t, lines) in zip(transfers, sim.transfers, strict=True):
        for line in lines:
            line.transfer = transfer
    TransferLine.objects.bulk_create([line for _t, lines in sim.transfers for line in lines])
    counts = StockCount.objects.bulk_create([c for c, _lines in sim.counts])
    for count, (_c, lines) in zip(counts, sim.counts, strict=True):
        for line in lines:
            line.count = count
    StockCountLine.objects.bulk_create(
        [line for _c, lines in sim.counts for line in lines], batch_size=5000
    )
    ReorderRule.objects.bulk_create(sim.rules, batch_size=5000)
    _copy_movements(sim.movements)
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                store_id=s,
                product_id=p,
                on_hand=on_hand,
                avg_cost=avg,
                last_counted_at=sim.counted.get((s, p)),
            )
            for (s, p), (on_hand, avg) in sim.state.items()
        ],
        batch_size=5000,
    )
    dates = sim.snapshot_dates
    StockSnapshotRun.objects.bulk_create(
        [
            StockSnapshotRun(store_id=store.pk, business_date=date, rows=len(products))
            for store in stores
            for date in dates
        ],
        batch_size=5000,
    )
    # The KPIs' per-store daily totals of those snapshots, in the same transaction.
    stock_snapshot_summary_rebuild(store_ids=[store.pk for store in stores])


MOVEMENT_COLUMNS = [
    "store_id",
    "product_id",
    "kind",
    "quantity",
    "unit_cost",
    "on_hand_after",
    "avg_cost_after",
    "reference",
    "reason",
    "created_by_id",
    "created_at",
    "business_date",
]


def _copy_movements(movements) -> None:
    _copy(
        StockMovement,
        MOVEMENT_COLUMNS,
        (
            f"{s}\t{p}\t{k}\t{q}\t{c}\t{oh}\t{avg}\t{_ref(ref)}\t{reason}\t"
            f"{user.pk if user else NULL}\t{when.isoformat()}\t{date.isoformat()}\n"
            for s, p, k, q, c, oh, avg, ref, reason, user, when, date in movements
        ),
    )
