"""The inventory part of the demo chain (``seed_demo``).

A catalogue (categories, ≥ ``skus`` products in English and Chinese, suppliers and their
terms), opening stock in every store, then ``days`` of history simulated day by day:
the point of sale's receipts (``pos``, the sales demo: each receipt line posts its sale
or return movement exactly as a POS import does), weekly purchase orders per supplier
received after the supplier's lead time (the last ones still open), a transfer per region
every ten days, a posted count per store every thirty days with variances, and a stock
snapshot for every store, product and day. Deterministic for a seed. With a POS feed,
today's sales so far are posted too (today has no snapshot: its day has not closed).

Everything is computed in memory with the ledger's own costing rule (``apply_movement``)
and written in bulk (PostgreSQL ``COPY``; ``bulk_create`` elsewhere), so the ledger, the
levels and the snapshots agree: ``manage.py check_stock`` finds no difference.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from opsdesk.platform.db import COPY_NULL as NULL
from opsdesk.platform.db import copy_rows as _copy
from stores.models import Store

from .models import (
    Category,
    MovementKind,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
    Supplier,
    Transfer,
    TransferLine,
)
from .services.ledger import MovementSpec, apply_movement, quantize_cost
from .services.replenishment import reorder_rules_recompute
from .services.snapshots import stock_snapshot_summary_rebuild

D = Decimal
ZERO = D("0")

# (code, English, Chinese, unit, cost range, [(English, Chinese), ...])
CATEGORIES = [
    (
        "produce",
        "Produce",
        "生鲜蔬果",
        "kg",
        (3, 20),
        [
            ("Apples", "苹果"),
            ("Bananas", "香蕉"),
            ("Oranges", "橙子"),
            ("Tomatoes", "西红柿"),
            ("Cucumbers", "黄瓜"),
            ("Bok choy", "小白菜"),
            ("Potatoes", "土豆"),
            ("Carrots", "胡萝卜"),
            ("Pears", "梨"),
            ("Grapes", "葡萄"),
            ("Mushrooms", "蘑菇"),
            ("Onions", "洋葱"),
        ],
    ),
    (
        "dairy",
        "Dairy",
        "乳制品",
        "each",
        (4, 30),
        [
            ("Fresh milk", "鲜牛奶"),
            ("Yogurt", "酸奶"),
            ("Cheese slices", "芝士片"),
            ("Butter", "黄油"),
            ("Soy milk", "豆浆"),
            ("Cream", "淡奶油"),
            ("Eggs", "鸡蛋"),
        ],
    ),
    (
        "bakery",
        "Bakery",
        "烘焙",
        "each",
        (3, 25),
        [
            ("White bread", "白面包"),
            ("Whole wheat bread", "全麦面包"),
            ("Croissant", "牛角包"),
            ("Steamed buns", "馒头"),
            ("Egg tart", "蛋挞"),
            ("Sponge cake", "海绵蛋糕"),
        ],
    ),
    (
        "beverages",
        "Beverages",
        "饮料",
        "each",
        (2, 40),
        [
            ("Green tea", "绿茶"),
            ("Oolong tea", "乌龙茶"),
            ("Cola", "可乐"),
            ("Mineral water", "矿泉水"),
            ("Orange juice", "橙汁"),
            ("Coffee", "咖啡"),
            ("Coconut water", "椰子水"),
            ("Lemon soda", "柠檬汽水"),
        ],
    ),
    (
        "household",
        "Household",
        "家居日用",
        "each",
        (5, 60),
        [
            ("Dish soap", "洗洁精"),
            ("Laundry detergent", "洗衣液"),
            ("Paper towels", "厨房纸"),
            ("Toilet paper", "卫生纸"),
            ("Trash bags", "垃圾袋"),
            ("Sponges", "海绵擦"),
        ],
    ),
    (
        "personal_care",
        "Personal care",
        "个人护理",
        "each",
        (6, 80),
        [
            ("Shampoo", "洗发水"),
            ("Toothpaste", "牙膏"),
            ("Body wash", "沐浴露"),
            ("Hand cream", "护手霜"),
            ("Toothbrush", "牙刷"),
            ("Facial tissue", "面巾纸"),
        ],
    ),
    (
        "snacks",
        "Snacks",
        "零食",
        "each",
        (3, 30),
        [
            ("Potato chips", "薯片"),
            ("Rice crackers", "米饼"),
            ("Sunflower seeds", "瓜子"),
            ("Chocolate bar", "巧克力"),
            ("Dried mango", "芒果干"),
            ("Peanuts", "花生"),
        ],
    ),
    (
        "frozen",
        "Frozen",
        "冷冻食品",
        "each",
        (8, 50),
        [
            ("Dumplings", "水饺"),
            ("Ice cream", "冰淇淋"),
            ("Frozen shrimp", "冻虾仁"),
            ("Glutinous rice balls", "汤圆"),
            ("Frozen peas", "冷冻豌豆"),
        ],
    ),
]
VARIANTS = [
    ("", ""),
    ("Organic ", "有机"),
    ("Premium ", "精选"),
    ("Family size ", "家庭装"),
    ("Value ", "实惠装"),
    ("Imported ", "进口"),
    ("Mini ", "迷你"),
]
BRANDS = [
    ("Golden Field", "金田"),
    ("Blue Sky", "蓝天"),
    ("Happy Farm", "快乐农场"),
    ("Jade River", "玉河"),
    ("Sunrise", "日出"),
    ("Lotus", "莲花"),
    ("Pine Hill", "松山"),
]
SUPPLIERS = [
    ("FRESHCO", "FreshCo Produce", 1),
    ("DAIRYLAND", "Dairyland Foods", 2),
    ("GOLDENBAKE", "Golden Bakery Supply", 1),
    ("DRINKS", "Pacific Beverages", 3),
    ("HOMEPLUS", "HomePlus Distribution", 5),
    ("CAREWELL", "Carewell Trading", 4),
    ("SNACKHUB", "Snack Hub", 3),
    ("COLDCHAIN", "ColdChain Logistics", 2),
]
CONTACTS = ["Chen", "Lim", "Wong", "Zhang"]
COUNT_REASON = "Stock count"
SNAPSHOT_COLUMNS = [
    "store_id",
    "product_id",
    "business_date",
    "on_hand",
    "avg_cost",
    "value",
    "last_sold_on",
]


def _ean13(number: int) -> str:
    digits = f"690{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


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


def seed_inventory(
    *, chain, skus: int, days: int, seed: int, today: datetime.date, pos: PosFeed | None = None
) -> dict:
    """The catalogue and the stock history; the sales are ``pos``'s receipts (none
    without a feed)."""
    rng = random.Random(f"inventory-{seed}")
    categories, products, suppliers, terms = _catalogue(rng, skus)
    stores = [s for s in chain.stores if s.status != Store.Status.PLANNED]
    managers = {s.pk: chain.users.get(f"manager-{s.code}") for s in chain.stores}
    if pos is not None:
        pos.start(products=products, first_date=today - datetime.timedelta(days=days), today=today)
    sim = _simulate(rng, stores, products, suppliers, terms, categories, managers, days, today, pos)
    _write(sim, stores, products, managers)
    # Velocity rules from the simulated sales, so the replenishment page has content;
    # "now" is the evening of `today` (UTC noon), whose window ends the day before.
    reorder_rules_recompute(
        store_ids=[store.pk for store in stores],
        now=datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC),
    )
    return {
        "products": len(products),
        "suppliers": len(suppliers),
        "movements": sim.movement_count,
        "snapshots": sim.snapshot_rows,
        "purchase_orders": len(sim.orders),
    }


def _catalogue(rng, skus):
    categories = Category.objects.bulk_create(
        Category(code=code, name=name, name_zh=zh) for code, name, zh, *_rest in CATEGORIES
    )
    by_code = {c.code: c for c in categories}
    rows = []
    for i in range(skus):
        code, _name, _zh, unit, (low, high), items = CATEGORIES[i % len(CATEGORIES)]
        item, item_zh = items[(i // len(CATEGORIES)) % len(items)]
        round_ = i // (len(CATEGORIES) * len(items))
        variant, variant_zh = VARIANTS[round_ % len(VARIANTS)]
        brand, brand_zh = BRANDS[(round_ // len(VARIANTS)) % len(BRANDS)]
        suffix = f" {round_ // (len(VARIANTS) * len(BRANDS)) + 1}" if round_ >= 49 else ""
        cost = D(rng.uniform(low, high)).quantize(D("0.01"))
        rows.append(
            Product(
                sku=f"P{i + 1:05d}",
                barcode=_ean13(i + 1),
                name=f"{brand} {variant}{item}{suffix}".replace("  ", " "),
                name_zh=f"{brand_zh}{variant_zh}{item_zh}{suffix.strip()}",
                category=by_code[code],
                unit=unit if unit == "kg" and rng.random() < 0.8 else "each",
                cost=cost,
                retail_price=(cost * D(rng.uniform(1.3, 1.9))).quantize(D("0.1")),
                active=rng.random() > 0.02,
            )
        )
    products = Product.objects.bulk_create(rows)
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            code=code,
            name=name,
            lead_time_days=lead,
            min_order_value=D(rng.choice([0, 100, 200, 500])),
            contact_name=f"{rng.choice(CONTACTS)} {rng.choice(['Wei', 'Mei', 'Jun'])}",
            contact_email=f"orders@{code.lower()}.example",
            contact_phone=f"+86 21 {rng.randint(5000_0000, 6999_9999)}",
        )
        for code, name, lead in SUPPLIERS
    )
    terms = []
    for i, product in enumerate(products):
        preferred = suppliers[i % len(CATEGORIES) % len(suppliers)]
        terms.append(
            ProductSupplier(
                product=product,
                supplier=preferred,
                supplier_sku=f"{preferred.code[:3]}-{i + 1:05d}",
                unit_cost=(product.cost * D(rng.uniform(0.92, 1.02))).quantize(D("0.0001")),
                pack_size=rng.choice([1, 1, 6, 12]) if product.unit == "each" else 1,
                preferred=True,
            )
        )
        if i % 5 == 0:
            alt = suppliers[(i + 3) % len(suppliers)]
            if alt != preferred:
                terms.append(
                    ProductSupplier(
                        product=product,
                        supplier=alt,
                        supplier_sku=f"{alt.code[:3]}-{i + 1:05d}",
                        unit_cost=(product.cost * D(rng.uniform(0.98, 1.1))).quantize(D("0.0001")),
                        pack_size=1,
                    )
                )
    terms = ProductSupplier.objects.bulk_create(terms)
    return categories, products, suppliers, [t for t in terms if t.preferred]


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
