"""The simulated stock history: receipts, sales, counts and transfers, day by day."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from opsdesk.platform.db import COPY_NULL as NULL
from opsdesk.platform.db import copy_rows as _copy

from ..models import (
    MovementKind,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockCount,
    StockCountLine,
    StockSnapshot,
    Transfer,
    TransferLine,
)
from ..services.ledger import MovementSpec, apply_movement, quantize_cost
from .catalogue import ZERO, D
from .writing import SNAPSHOT_COLUMNS, _copy_movements

COUNT_REASON = "Stock count"


class PosFeed(Protocol):
    """The demo's point of sale (``sales.demo.PosDemo``): it writes its receipts itself
    and tells the simulation which stock movements they post."""

    def start(self, *, products: list, first_date: datetime.date, today: datetime.date):
        """The catalogue exists; the history runs from ``first_date`` to ``today``."""

    def store_day(
        self,
        store,
        date: datetime.date,
        on_hand: Callable[[int], Decimal],
        *,
        partial: bool = False,
    ) -> list[tuple[MovementSpec, datetime.datetime]]:
        """One store's receipts of ``date`` (``partial``: today so far), never selling
        more than ``on_hand(product_id)``; the movements to post and when."""

    def end_day(self, date: datetime.date) -> None:
        """Every store's ``date`` is done: write it."""


@dataclass
class _Sim:
    """The in-memory state of the simulation and the rows it produced."""

    movements: list = field(default_factory=list)
    # Movements with a text reference (opening stock, POS sales), written day by day.
    day_movements: list = field(default_factory=list)
    movement_count: int = 0
    snapshot_rows: int = 0
    orders: list = field(default_factory=list)  # (PurchaseOrder, [lines])
    transfers: list = field(default_factory=list)
    counts: list = field(default_factory=list)
    counted: dict = field(default_factory=dict)  # (store, product) -> datetime
    snapshot_dates: list = field(default_factory=list)


def _at(store, date, hour):
    return datetime.datetime.combine(date, datetime.time(hour), tzinfo=store.tz)


def _simulate(rng, stores, products, suppliers, terms, categories, managers, days, today, pos):
    sim = _Sim()
    start = today - datetime.timedelta(days=days)
    term_of = {t.product_id: t for t in terms}
    velocity = {p.pk: rng.choice([1, 1, 2, 2, 3, 4, 6]) for p in products}
    # state[(store, product)] = [on_hand, avg_cost]
    state: dict = {}
    # last_sold[(store, product)] = the business date of its latest sale movement, as
    # the snapshot job writes it into each snapshot (a customer return is not a sale).
    last_sold: dict = {}
    pending: dict = {}  # date -> [(store, order, lines)]
    rules = []
    store_ids = [s.pk for s in stores]
    product_ids = [p.pk for p in products]

    def post(store, product_id, kind, qty, cost, when, date, ref, reason=""):
        key = (store.pk, product_id)
        on_hand, avg = state.get(key, (ZERO, ZERO))
        if cost is None:
            cost = avg
        on_hand, avg = apply_movement(on_hand, avg, kind, qty, cost)
        state[key] = (on_hand, avg)
        if kind == MovementKind.SALE:
            last_sold[key] = date
        sim.movement_count += 1
        # Documents get their numbers when written at the end; text references go daily.
        (sim.day_movements if isinstance(ref, str) else sim.movements).append(
            (
                store.pk,
                product_id,
                kind,
                qty,
                cost,
                on_hand,
                avg,
                ref,
                reason,
                managers.get(store.pk),
                when,
                date,
            )
        )

    def on_hand_of(store_id):
        return lambda product_id: state.get((store_id, product_id), (ZERO, ZERO))[0]

    def sell(store, date, partial=False):
        for spec, at in pos.store_day(store, date, on_hand_of(store.pk), partial=partial):
            post(
                store,
                spec.product_id,
                spec.kind,
                spec.quantity,
                spec.unit_cost,
                at,
                date,
                spec.reference,
                spec.reason,
            )

    # Opening stock and reorder rules.
    for store in stores:
        when = _at(store, start, 7)
        for product in products:
            v = velocity[product.pk]
            lead = term_of[product.pk].supplier.lead_time_days
            point = D(v * (lead + 3))
            rules.append(
                ReorderRule(
                    store=store,
                    product=product,
                    reorder_point=point,
                    order_up_to=point + D(v * 7),
                    safety_stock=D(v * 3),
                    method=ReorderRule.Method.VELOCITY,
                )
            )
            post(
                store,
                product.pk,
                MovementKind.RECEIPT,
                D(rng.randint(v * 6, v * 14)),
                quantize_cost(term_of[product.pk].unit_cost),
                when,
                start,
                "OPENING",
                "Opening stock",
            )
    rule_of = {(r.store.pk, r.product.pk): r for r in rules}
    by_supplier: dict = {}
    for product in products:
        by_supplier.setdefault(term_of[product.pk].supplier_id, []).append(product)
    regions: dict = {}
    for store in stores:
        regions.setdefault(store.region_id, []).append(store)

    period = max(1, min(30, days))  # every store counts once per period
    for offset in range(days):
        date = start + datetime.timedelta(days=offset)
        # Deliveries due today.
        for store, order, lines in pending.pop(date, []):
            when = _at(store, date, 9)
            for line in lines:
                post(
                    store,
                    line.product_id,
                    MovementKind.RECEIPT,
                    line.quantity_ordered,
                    line.unit_cost,
                    when,
                    date,
                    order,
                    "Received",
                )
                line.quantity_received = line.quantity_ordered
            order.status = PurchaseOrder.Status.RECEIVED
            order.received_at = when
        for s_index, store in enumerate(stores):
            # The day's receipts, posted to the ledger as the POS import posts them.
            if pos is not None:
                sell(store, date)
            # Weekly order per supplier, each on its own weekday.
            for sup_index, supplier in enumerate(suppliers):
                if (offset + s_index + sup_index) % 7 or supplier.pk not in by_supplier:
                    continue
                lines = []
                for product in by_supplier[supplier.pk]:
                    rule = rule_of[(store.pk, product.pk)]
                    on_hand = state[(store.pk, product.pk)][0]
                    if on_hand <= rule.reorder_point and product.active:
                        pack = term_of[product.pk].pack_size
                        qty = rule.order_up_to - on_hand
                        qty = D(-(-int(qty) // pack) * pack)
                        lines.append(
                            PurchaseOrderLine(
                                product_id=product.pk,
                                quantity_ordered=qty,
                                unit_cost=term_of[product.pk].unit_cost,
                            )
                        )
                if not lines:
                    continue
                placed = _at(store, date, 18)
                order = PurchaseOrder(
                    store=store,
                    supplier=supplier,
                    created_by=managers.get(store.pk),
                    created_at=placed,
                    submitted_at=placed,
                    status=PurchaseOrder.Status.SUBMITTED,
                    expected_date=date + datetime.timedelta(days=supplier.lead_time_days),
                )
                sim.orders.append((order, lines))
                arrival = date + datetime.timedelta(days=supplier.lead_time_days)
                pending.setdefault(arrival, []).append((store, order, lines))
            # A count every thirty days, one category, with a few variances.
            if (offset + s_index) % period == period - 1:
                _count(
                    rng,
                    sim,
                    store,
                    categories[(offset + s_index) % len(categories)],
                    products,
                    state,
                    post,
                    managers,
                    date,
                )
        if offset % 10 == 5:
            for region_stores in regions.values():
                if len(region_stores) >= 2:
                    _transfer(
                        rng, sim, region_stores, products, state, post, managers, date, offset // 10
                    )
        # The day's snapshots are written at once: memory stays at one day of rows.
        day = date.isoformat()
        places = D("0.0001")
        lines = [
            f"{store_id}\t{product_id}\t{day}\t{on_hand}\t{avg}\t"
            f"{(on_hand * avg).quantize(places)}\t{last_sold.get(key, NULL)}\n"
            for store_id in store_ids
            for product_id in product_ids
            for key in ((store_id, product_id),)
            for on_hand, avg in (state[key],)
        ]
        _copy(StockSnapshot, SNAPSHOT_COLUMNS, lines)
        sim.snapshot_rows += len(lines)
        sim.snapshot_dates.append(date)
        _copy_movements(sim.day_movements)
        sim.day_movements = []
        if pos is not None:
            pos.end_day(date)
    if pos is not None:
        # Today so far: sold since opening; no snapshot until the day closes.
        for store in stores:
            sell(store, today, partial=True)
        pos.end_day(today)
    _copy_movements(sim.day_movements)
    sim.day_movements = []
    sim.rules = rules
    sim.state = state
    return sim


def _count(rng, sim, store, category, products, state, post, managers, date):
    when = _at(store, date, 20)
    user = managers.get(store.pk)
    count = StockCount(
        store=store,
        category=category,
        status=StockCount.Status.POSTED,
        created_by=user,
        created_at=_at(store, date, 19),
        submitted_at=when,
        approved_by=user,
        approved_at=when,
        posted_at=when,
    )
    lines = []
    for product in products:
        if product.category_id != category.pk:
            continue
        on_hand, avg = state[(store.pk, product.pk)]
        counted = on_hand
        if rng.random() < 0.2 and on_hand > 0:
            counted = max(ZERO, on_hand + D(rng.choice([-3, -2, -1, -1, 1, 2])))
        lines.append(
            StockCountLine(
                product_id=product.pk,
                expected_quantity=on_hand,
                unit_cost=avg,
                counted_quantity=counted,
                counted_by=user,
                counted_at=when,
            )
        )
        if counted != on_hand:
            post(
                store,
                product.pk,
                MovementKind.COUNT_ADJUSTMENT,
                counted - on_hand,
                None,
                when,
                date,
                count,
                COUNT_REASON,
            )
        sim.counted[(store.pk, product.pk)] = when
    sim.counts.append((count, lines))


def _transfer(rng, sim, region_stores, products, state, post, managers, date, round_):
    # Each round another store of the region receives (the first store first), from one
    # of the others.
    destination = region_stores[round_ % len(region_stores)]
    source = rng.choice([s for s in region_stores if s.pk != destination.pk])
    picked = rng.sample(products, min(3, len(products)))
    lines = []
    shipped = _at(source, date, 10)
    received = _at(destination, date, 16)
    transfer = Transfer(
        source_store=source,
        destination_store=destination,
        status=Transfer.Status.RECEIVED,
        requested_by=managers.get(destination.pk),
        requested_at=shipped - datetime.timedelta(hours=20),
        approved_at=shipped - datetime.timedelta(hours=16),
        shipped_at=shipped,
        received_at=received,
    )
    for product in picked:
        on_hand, avg = state[(source.pk, product.pk)]
        qty = D(min(int(on_hand) // 3, 10))
        if qty <= 0:
            continue
        post(source, product.pk, MovementKind.TRANSFER_OUT, -qty, None, shipped, date, transfer)
        post(destination, product.pk, MovementKind.TRANSFER_IN, qty, avg, received, date, transfer)
        lines.append(
            TransferLine(
                product_id=product.pk,
                quantity_requested=qty,
                quantity_shipped=qty,
                quantity_received=qty,
                unit_cost=avg,
            )
        )
    if lines:
        sim.transfers.append((transfer, lines))
