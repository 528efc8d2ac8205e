"""The inventory KPIs against values computed by hand on small scenarios.

Each scenario builds its stores, products, movements and snapshots directly; the
comments give the arithmetic. Business date D = 2026-03-31 unless a test says otherwise:
its 30-day window is 2026-03-02..2026-03-31, the 28-day "active" window 03-04..03-31.
"""

import datetime
import importlib
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    Category,
    MovementKind,
    Product,
    PurchaseOrder,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
    StockSnapshotSummary,
    Supplier,
    Transfer,
)
from inventory.services.snapshots import stock_snapshot_summary_rebuild, stock_snapshot_take
from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis
from opsdesk.analytics.kpis.models import KpiFact
from opsdesk.analytics.kpis.selectors import kpi_rollup
from sales.models import DailySales
from stores.models import Region, Store

D = Decimal
DAY = datetime.date(2026, 3, 31)
UTC = datetime.UTC
INVENTORY_CODES = [
    "inventory_turnover_30d",
    "order_cycle_time_h",
    "transfer_cycle_time_h",
    "stockout_rate",
    "shrinkage_rate",
    "sell_through_30d",
]


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2026, month, day)


@pytest.fixture
def chain(db):
    region = Region.objects.create(code="R1", name="Region 1")
    category = Category.objects.create(code="C1", name="Category 1")
    products = [
        Product.objects.create(sku=f"P{i}", name=f"Product {i}", category=category)
        for i in range(1, 7)
    ]
    supplier = Supplier.objects.create(code="S1", name="Supplier 1")

    def store(code, tz="UTC", **extra):
        return Store.objects.create(code=code, name=code, region=region, time_zone=tz, **extra)

    return {"store": store, "products": products, "supplier": supplier}


@pytest.fixture
def head_office(db):
    return get_user_model().objects.create_user(
        username="ho", password="x", role="head_office", is_active=True
    )


def move(store, product, kind, quantity, cost, date, on_hand_after="0"):
    return StockMovement.objects.create(
        store=store,
        product=product,
        kind=kind,
        quantity=D(quantity),
        unit_cost=D(cost),
        on_hand_after=D(on_hand_after),
        avg_cost_after=D(cost),
        business_date=date,
        created_at=datetime.datetime.combine(date, datetime.time(12), tzinfo=UTC),
    )


def snap(store, product, date, on_hand, cost="1"):
    """A snapshot as the snapshot job writes it: ``last_sold_on`` from the sale
    movements already created (on or before its date)."""
    last_sold = StockMovement.objects.filter(
        store=store, product=product, kind=MovementKind.SALE, business_date__lte=date
    ).aggregate(last=Max("business_date"))["last"]
    StockSnapshot.objects.create(
        store=store,
        product=product,
        business_date=date,
        on_hand=D(on_hand),
        avg_cost=D(cost),
        value=D(on_hand) * D(cost),
        last_sold_on=last_sold,
    )


def values(code, business_date, stores):
    return registry.get(code).compute(business_date, [s.pk for s in stores])


def facts(code=None):
    rows = KpiFact.objects.order_by("store_id", "business_date", "code")
    if code:
        rows = rows.filter(code=code)
    return list(
        rows.values_list("store_id", "business_date", "code", "numerator", "denominator", "value")
    )


def test_inventory_kpis_are_registered():
    for code in INVENTORY_CODES:
        kpi = registry.get(code)
        assert kpi.name and kpi.name_zh and kpi.numerator and kpi.denominator
    assert registry.get("inventory_turnover_30d").higher_is_better
    assert not registry.get("stockout_rate").higher_is_better
    assert registry.get("shrinkage_rate").scale == 100
    assert registry.get("order_cycle_time_h").extras is not None


# --- inventory_turnover_30d ----------------------------------------------------------


@pytest.fixture
def turnover(chain):
    a = chain["store"]("A")
    b = chain["store"]("B", opening_date=d(31))  # opened on the last day of the window
    c = chain["store"]("C")  # sells but has no snapshot: no value
    p1, p2 = chain["products"][:2]
    # A: snapshots in the window on 03-02 (100) and 03-03 (300 = 200 + 100): average 200.
    snap(a, p1, d(2), "10", "10")
    snap(a, p1, d(3), "20", "10")
    snap(a, p2, d(3), "50", "2")
    # A: COGS = 2 × 10 + 3 × 10 − 1 × 10 (a customer return) = 40.
    move(a, p1, MovementKind.SALE, "-2", "10", d(2))
    move(a, p1, MovementKind.SALE, "-3", "10", d(3))
    move(a, p1, MovementKind.CUSTOMER_RETURN, "1", "10", d(3))
    # Neither a receipt nor a write-off is a cost of goods sold.
    move(a, p1, MovementKind.RECEIPT, "30", "10", d(4))
    move(a, p1, MovementKind.WRITE_OFF_DAMAGED, "-1", "10", d(4))
    # B: one snapshot (50), COGS 5.
    snap(b, p1, d(31), "10", "5")
    move(b, p1, MovementKind.SALE, "-1", "5", d(31))
    move(c, p1, MovementKind.SALE, "-1", "5", d(31))
    stock_snapshot_summary_rebuild()
    return a, b, c


def test_turnover_by_hand(turnover):
    a, b, c = turnover
    assert values("inventory_turnover_30d", DAY, [a, b, c]) == {
        a.pk: (D(40), D(200)),
        b.pk: (D(5), D(50)),
    }


def test_turnover_reads_only_its_window(turnover):
    a, b, c = turnover
    before = values("inventory_turnover_30d", DAY, [a, b, c])
    p1 = Product.objects.get(sku="P1")
    # The day before the window and a year before: neither changes the result.
    for date in (d(1), datetime.date(2025, 3, 31)):
        snap(a, p1, date, "1000", "10")
        move(a, p1, MovementKind.SALE, "-50", "10", date)
    stock_snapshot_summary_rebuild()
    assert values("inventory_turnover_30d", DAY, [a, b, c]) == before


def test_turnover_rolls_up_as_ratio_of_sums_with_days_on_hand(turnover, head_office):
    a, b, _c = turnover
    compute_kpis(business_date=DAY, codes=["inventory_turnover_30d"])
    fact = KpiFact.objects.get(store=a, code="inventory_turnover_30d")
    assert fact.value == D("0.2")
    # Chain: (40 + 5) ÷ (200 + 50) = 0.18, not the mean of 0.2 and 0.1.
    (chain,) = kpi_rollup(
        user=head_office, code="inventory_turnover_30d", start=DAY, end=DAY, group="chain"
    )
    assert chain["value"] == D("0.18")
    kpi = registry.get("inventory_turnover_30d")
    # Days on hand = 30 ÷ turnover: 30 × 250 ÷ 45 = 166.666667; for A alone 30 ÷ 0.2.
    assert kpi.extras([a.pk, b.pk], DAY, DAY) == {"days_on_hand": D("166.666667")}
    assert kpi.extras([a.pk], DAY, DAY) == {"days_on_hand": D("150")}
    assert kpi.extras([], DAY, DAY) == {"days_on_hand": None}


def test_turnover_week_rollup(turnover, head_office):
    a, _b, _c = turnover
    # On 03-03 and 03-04, A's window holds the same snapshots (average 200) and its COGS
    # is 40 on both days (the sales of 03-02 and 03-03): the week is 80 ÷ 400 = 0.2.
    for date in (d(3), d(4)):
        compute_kpis(business_date=date, codes=["inventory_turnover_30d"], store_ids=[a.pk])
    assert [(f[3], f[4]) for f in facts("inventory_turnover_30d")] == [
        (D(40), D(200)),
        (D(40), D(200)),
    ]
    (row,) = kpi_rollup(
        user=head_office,
        code="inventory_turnover_30d",
        start=d(2),
        end=d(8),
        group="store",
        store_ids=[a.pk],
    )
    assert (row["numerator"], row["denominator"], row["value"]) == (D(80), D(400), D("0.2"))


# --- order_cycle_time_h / transfer_cycle_time_h ---------------------------------------


def at(day, hour, minute=0, month=3):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def cycles(chain):
    """Shanghai is UTC+8; New York is UTC−4 in March 2026 (DST from 03-08)."""
    sh = chain["store"]("SH", "Asia/Shanghai")
    ny = chain["store"]("NY", "America/New_York")
    supplier = chain["supplier"]

    def order(store, submitted, received, status=PurchaseOrder.Status.RECEIVED):
        return PurchaseOrder.objects.create(
            store=store,
            supplier=supplier,
            status=status,
            submitted_at=submitted,
            received_at=received,
        )

    # SH, local 03-10: received 03-09 17:00 UTC = 03-10 01:00 local, after 25 h ...
    order(sh, at(8, 16), at(9, 17))
    # ... and 03-10 15:30 UTC = 23:30 local, after 12 h.
    order(sh, at(10, 3, 30), at(10, 15, 30))
    # 03-10 16:30 UTC is already 03-11 in Shanghai: not that day.
    order(sh, at(10, 4, 30), at(10, 16, 30))
    # Not fully received, cancelled: no cycle.
    order(sh, at(9, 1), None, PurchaseOrder.Status.PARTIALLY_RECEIVED)
    order(sh, at(9, 1), None, PurchaseOrder.Status.CANCELLED)
    # NY, local 03-10: 03-11 03:00 UTC = 03-10 23:00 local, after 24 h.
    order(ny, at(10, 3), at(11, 3))

    def transfer(source, destination, approved, received, status=Transfer.Status.RECEIVED):
        return Transfer.objects.create(
            source_store=source,
            destination_store=destination,
            status=status,
            approved_at=approved,
            shipped_at=approved,
            received_at=received,
        )

    # Into SH: received 03-09 20:00 UTC = 03-10 04:00 local, 10 h after approval.
    transfer(ny, sh, at(9, 10), at(9, 20))
    # Still in transit: no cycle.
    transfer(ny, sh, at(9, 10), None, Transfer.Status.SHIPPED)
    # Into NY: received 03-10 12:00 UTC = 08:00 local, 48 h after approval. It counts for
    # the destination only: SH as the source gets nothing from it.
    transfer(sh, ny, at(8, 12), at(10, 12))
    return sh, ny


def test_order_cycle_time_by_store_local_date(cycles):
    sh, ny = cycles
    assert values("order_cycle_time_h", d(10), [sh, ny]) == {
        sh.pk: (D(37), D(2)),
        ny.pk: (D(24), D(1)),
    }
    # The order received 03-10 16:30 UTC belongs to Shanghai's 03-11, after 12 h.
    assert values("order_cycle_time_h", d(11), [sh, ny]) == {sh.pk: (D(12), D(1))}
    assert values("order_cycle_time_h", d(12), [sh, ny]) == {}


def test_order_cycle_time_p90_and_rollup(cycles, head_office):
    sh, ny = cycles
    kpi = registry.get("order_cycle_time_h")
    # Hours 12, 24, 25: rank 0.9 × 2 = 1.8 → 24 + 0.8 × (25 − 24) = 24.8.
    assert kpi.extras([sh.pk, ny.pk], d(10), d(10)) == {"p90_h": D("24.80")}
    # Shanghai alone over 03-10..03-11: 12, 12, 25 → 12 + 0.8 × 13 = 22.4.
    assert kpi.extras([sh.pk], d(10), d(11)) == {"p90_h": D("22.40")}
    assert kpi.extras([ny.pk], d(12), d(20)) == {"p90_h": None}
    for date in (d(10), d(11)):
        compute_kpis(business_date=date, codes=["order_cycle_time_h"])
    # Mean over both stores and days: (37 + 24 + 12) h ÷ 4 orders = 18.25 h.
    (chain,) = kpi_rollup(
        user=head_office, code="order_cycle_time_h", start=d(10), end=d(11), group="chain"
    )
    assert (chain["numerator"], chain["denominator"], chain["value"]) == (
        D(73),
        D(4),
        D("18.25"),
    )


def test_transfer_cycle_time_by_destination(cycles):
    sh, ny = cycles
    assert values("transfer_cycle_time_h", d(10), [sh, ny]) == {
        sh.pk: (D(10), D(1)),
        ny.pk: (D(48), D(1)),
    }
    assert values("transfer_cycle_time_h", d(9), [sh, ny]) == {}
    kpi = registry.get("transfer_cycle_time_h")
    # 10 and 48: 10 + 0.9 × 38 = 44.2.
    assert kpi.extras([sh.pk, ny.pk], d(1), d(31)) == {"p90_h": D("44.20")}
    assert kpi.extras([sh.pk], d(1), d(31)) == {"p90_h": D("10.00")}


# --- stockout_rate -------------------------------------------------------------------


@pytest.fixture
def stockouts(chain):
    a = chain["store"]("A")
    b = chain["store"]("B")
    p1, p2, p3, p4, p5, p6 = chain["products"]
    move(a, p1, MovementKind.SALE, "-1", "1", d(10))  # active, 0 on hand: out
    move(a, p2, MovementKind.SALE, "-1", "1", d(20))  # active, 5 on hand
    move(a, p3, MovementKind.SALE, "-1", "1", d(3))  # sold before the 28 days: inactive
    move(a, p5, MovementKind.SALE, "-1", "1", d(31))  # active, −2 on hand: out
    move(a, p6, MovementKind.CUSTOMER_RETURN, "1", "1", d(15))  # a return is not a sale
    for product, on_hand in ((p1, "0"), (p2, "5"), (p3, "-1"), (p4, "0"), (p5, "-2"), (p6, "0")):
        snap(a, product, DAY, on_hand)
    # B sold but has no snapshot that day: on hand at close unknown, no value.
    move(b, p1, MovementKind.SALE, "-1", "1", d(30))
    return a, b


def test_stockout_rate_by_hand(stockouts):
    a, b = stockouts
    # Active: P1, P2, P5; out of stock: P1, P5.
    assert values("stockout_rate", DAY, [a, b]) == {a.pk: (D(2), D(3))}
    compute_kpis(business_date=DAY, codes=["stockout_rate"])
    assert KpiFact.objects.get(code="stockout_rate").value == D("66.666667")


def test_stockout_rate_window(stockouts):
    a, b = stockouts
    p4 = Product.objects.get(sku="P4")
    # A sale 28 days before D (03-03) is outside the window: P4 stays inactive.
    move(a, p4, MovementKind.SALE, "-1", "1", d(3))
    assert values("stockout_rate", DAY, [a, b]) == {a.pk: (D(2), D(3))}
    # On 03-30, the window 03-03..03-30 holds P3 and P4 (both out) but not P5 (03-31).
    for product in Product.objects.all():
        snap(a, product, d(30), "0")
    assert values("stockout_rate", d(30), [a, b]) == {a.pk: (D(4), D(4))}


def test_stockout_rate_reads_last_sold_on_from_one_day_of_snapshots(chain):
    a = chain["store"]("A")
    p1, p2, p3, p4 = chain["products"][:4]
    # No sale movement at all: the snapshots' last sale dates say which SKUs are active.
    for product, on_hand, sold in (
        (p1, "0", d(4)),  # the first day of the 28: active, out
        (p2, "3", d(31)),  # active
        (p3, "0", d(3)),  # the day before the 28: inactive
        (p4, "0", None),  # never sold
    ):
        StockSnapshot.objects.create(
            store=a,
            product=product,
            business_date=DAY,
            on_hand=D(on_hand),
            avg_cost=D(1),
            value=D(on_hand),
            last_sold_on=sold,
        )
    # Another day's snapshot is not read.
    snap(a, p3, d(30), "0")
    StockSnapshot.objects.filter(business_date=d(30)).update(last_sold_on=d(30))
    with CaptureQueriesContext(connection) as queries:
        assert values("stockout_rate", DAY, [a]) == {a.pk: (D(1), D(2))}
    (query,) = queries
    assert "inventory_stockmovement" not in query["sql"]


def test_stockout_rate_from_the_snapshot_job(chain):
    a = chain["store"]("A")
    p1, p2, p3 = chain["products"][:3]
    move(a, p1, MovementKind.RECEIPT, "5", "1", d(1), on_hand_after="5")
    move(a, p1, MovementKind.SALE, "-5", "1", d(10), on_hand_after="0")  # active, out
    move(a, p2, MovementKind.RECEIPT, "5", "1", d(1), on_hand_after="5")
    move(a, p2, MovementKind.SALE, "-1", "1", d(2), on_hand_after="4")  # sold before the 28
    move(a, p2, MovementKind.SALE, "-4", "1", d(3), on_hand_after="0")
    move(a, p3, MovementKind.SALE, "-1", "1", d(31), on_hand_after="-1")  # active, out
    move(a, p3, MovementKind.CUSTOMER_RETURN, "1", "1", d(31), on_hand_after="0")
    for date in (d(1), d(30), DAY):
        stock_snapshot_take(store_id=a.pk, business_date=date)
    assert values("stockout_rate", DAY, [a]) == {a.pk: (D(2), D(2))}
    assert values("stockout_rate", d(30), [a]) == {a.pk: (D(2), D(2))}  # P1, P2 (03-03)


# --- shrinkage_rate ------------------------------------------------------------------


def daily(store, date, net_sales):
    DailySales.objects.create(
        store=store, business_date=date, net_sales=D(net_sales), transactions=1, units=D(1)
    )


@pytest.fixture
def shrinkage(chain):
    a = chain["store"]("A")
    b = chain["store"]("B")
    c = chain["store"]("C")
    p1 = chain["products"][0]
    # A loses 2 × 10 + 1 × 7.5 + 4 × 2.5 = 37.5 in the window; a positive adjustment is
    # not netted, a write-off before the window does not count.
    move(a, p1, MovementKind.COUNT_ADJUSTMENT, "-2", "10", d(5))
    move(a, p1, MovementKind.COUNT_ADJUSTMENT, "3", "10", d(6))
    move(a, p1, MovementKind.WRITE_OFF_DAMAGED, "-1", "7.5", d(31))
    move(a, p1, MovementKind.WRITE_OFF_EXPIRED, "-4", "2.5", d(2))
    move(a, p1, MovementKind.WRITE_OFF_EXPIRED, "-100", "1", d(1))
    move(a, p1, MovementKind.SALE, "-1", "1", d(10))
    # A's net sales: 500 + 300 − 50 (a day of returns) = 750; 02-28 is outside.
    daily(a, d(2), "500")
    daily(a, d(15), "300")
    daily(a, d(31), "-50")
    daily(a, d(28, 2), "1000")
    # B: a write-off but no sales (value None); C: sales but no shrinkage (0 %).
    move(b, p1, MovementKind.WRITE_OFF_DAMAGED, "-1", "4", d(20))
    daily(c, d(20), "200")
    return a, b, c


def test_shrinkage_rate_by_hand(shrinkage, head_office):
    a, b, c = shrinkage
    assert values("shrinkage_rate", DAY, [a, b, c]) == {
        a.pk: (D("37.5"), D(750)),
        b.pk: (D(4), D(0)),
        c.pk: (D(0), D(200)),
    }
    compute_kpis(business_date=DAY, codes=["shrinkage_rate"])
    by_store = {f[0]: f[5] for f in facts("shrinkage_rate")}
    assert by_store == {a.pk: D(5), b.pk: None, c.pk: D(0)}
    # Chain: (37.5 + 4) ÷ (750 + 200) × 100.
    (chain,) = kpi_rollup(
        user=head_office, code="shrinkage_rate", start=DAY, end=DAY, group="chain"
    )
    assert chain["value"] == (D("41.5") / D(950) * 100).quantize(D("0.000001"))


# --- sell_through_30d ----------------------------------------------------------------


@pytest.fixture
def sell_through(chain):
    a = chain["store"]("A")
    b = chain["store"]("B", opening_date=d(20))
    p1, p2 = chain["products"][:2]
    # A at the close of 03-01 (the day before the window): 10 + 5 units.
    snap(a, p1, d(1), "10")
    snap(a, p2, d(1), "5")
    # Received in the window: 20 from the supplier, 5 by transfer; 100 before it.
    move(a, p1, MovementKind.RECEIPT, "20", "1", d(5))
    move(a, p2, MovementKind.TRANSFER_IN, "5", "1", d(10))
    move(a, p1, MovementKind.RECEIPT, "100", "1", d(20, 2))
    # Sold: 12 + 8 − 2 returned = 18; 3 before the window.
    move(a, p1, MovementKind.SALE, "-12", "1", d(6))
    move(a, p2, MovementKind.SALE, "-8", "1", d(20))
    move(a, p1, MovementKind.CUSTOMER_RETURN, "2", "1", d(21))
    move(a, p1, MovementKind.SALE, "-3", "1", d(1))
    # B opened mid-window: nothing at the start, 10 received, 4 sold.
    move(b, p1, MovementKind.RECEIPT, "10", "1", d(20))
    move(b, p1, MovementKind.SALE, "-4", "1", d(25))
    stock_snapshot_summary_rebuild()
    return a, b


def test_sell_through_by_hand(sell_through, head_office):
    a, b = sell_through
    assert values("sell_through_30d", DAY, [a, b]) == {
        a.pk: (D(18), D(40)),  # 18 ÷ (15 + 25) = 45 %
        b.pk: (D(4), D(10)),  # 40 %
    }
    compute_kpis(business_date=DAY, codes=["sell_through_30d"])
    assert {f[0]: f[5] for f in facts("sell_through_30d")} == {a.pk: D(45), b.pk: D(40)}
    (chain,) = kpi_rollup(
        user=head_office, code="sell_through_30d", start=DAY, end=DAY, group="chain"
    )
    assert chain["value"] == D("44")  # 22 ÷ 50


# --- every inventory KPI: empty days, idempotence, query counts ----------------------


def test_no_activity_gives_no_rows(chain):
    a = chain["store"]("A")
    for code in INVENTORY_CODES:
        assert values(code, DAY, [a]) == {}, code
        assert values(code, DAY, []) == {}, code


def _busy_store(chain, code, tz="UTC"):
    store = chain["store"](code, tz)
    p1 = chain["products"][0]
    move(store, p1, MovementKind.RECEIPT, "10", "2", d(5))
    move(store, p1, MovementKind.SALE, "-4", "2", d(30))
    move(store, p1, MovementKind.WRITE_OFF_DAMAGED, "-1", "2", d(30))
    snap(store, p1, d(30), "5", "2")
    snap(store, p1, DAY, "5", "2")
    daily(store, DAY, "100")
    other = Store.objects.exclude(pk=store.pk).first() or chain["store"](code + "X")
    PurchaseOrder.objects.create(
        store=store,
        supplier=chain["supplier"],
        status=PurchaseOrder.Status.RECEIVED,
        submitted_at=at(29, 12),
        received_at=at(31, 12),
    )
    Transfer.objects.create(
        source_store=other,
        destination_store=store,
        status=Transfer.Status.RECEIVED,
        approved_at=at(30, 12),
        received_at=at(31, 12),
    )
    return store


def test_query_count_does_not_grow_with_stores(chain):
    one = [_busy_store(chain, "Q1", "Asia/Shanghai")]
    many = one + [
        _busy_store(chain, f"Q{i}", tz)
        for i, tz in enumerate(["UTC", "America/New_York", "Asia/Shanghai", "UTC"], start=2)
    ]
    stock_snapshot_summary_rebuild()
    for code in INVENTORY_CODES:
        kpi = registry.get(code)
        with CaptureQueriesContext(connection) as few:
            small = kpi.compute(DAY, [s.pk for s in one])
        with CaptureQueriesContext(connection) as lots:
            large = kpi.compute(DAY, [s.pk for s in many])
        assert len(small) == 1 and len(large) == len(many), code
        assert len(few) == len(lots) <= 3, code
        if kpi.extras:
            with CaptureQueriesContext(connection) as few:
                kpi.extras([s.pk for s in one], d(1), DAY)
            with CaptureQueriesContext(connection) as lots:
                kpi.extras([s.pk for s in many], d(1), DAY)
            assert len(few) == len(lots) <= 2, code


def test_the_run_reads_the_window_of_movements_once(chain):
    stores = [_busy_store(chain, "W1"), _busy_store(chain, "W2", "Asia/Shanghai")]
    stock_snapshot_summary_rebuild()
    window = ["inventory_turnover_30d", "shrinkage_rate", "sell_through_30d"]
    separately = {code: values(code, DAY, stores) for code in window}
    with CaptureQueriesContext(connection) as queries:
        compute_kpis(business_date=DAY, codes=INVENTORY_CODES)
    reads = [q for q in queries if 'FROM "inventory_stockmovement"' in q["sql"]]
    assert len(reads) == 1
    for code in window:
        kpi = registry.get(code)
        assert {f[0]: (f[3], f[4]) for f in facts(code)} == separately[code], code
        assert all(f[5] == kpi.value(f[3], f[4]) for f in facts(code)), code


def test_shared_reads_once_per_run_cache():
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    assert registry.shared("k", read) == 1
    assert registry.shared("k", read) == 2  # outside a run: every call reads
    with registry.run_cache():
        assert registry.shared("k", read) == 3
        assert registry.shared("k", read) == 3
        assert registry.shared("other", read) == 4
    assert registry.shared("k", read) == 5  # the run's cache is gone


def test_rerun_gives_identical_rows(chain):
    stores = [_busy_store(chain, "I1"), _busy_store(chain, "I2", "Asia/Shanghai")]
    stock_snapshot_summary_rebuild()
    compute_kpis(business_date=DAY, codes=INVENTORY_CODES)
    first = facts()
    assert {f[2] for f in first} == set(INVENTORY_CODES)
    assert len(first) == len(INVENTORY_CODES) * len(stores)
    compute_kpis(business_date=DAY, codes=INVENTORY_CODES)
    assert facts() == first


# --- the snapshot summary -------------------------------------------------------------


def test_snapshot_take_writes_its_summary_in_the_same_transaction(chain):
    a = chain["store"]("A")
    p1, p2 = chain["products"][:2]
    move(a, p1, MovementKind.RECEIPT, "10", "2.5", d(1), on_hand_after="10")
    move(a, p2, MovementKind.RECEIPT, "4", "3", d(2), on_hand_after="4")
    assert stock_snapshot_take(store_id=a.pk, business_date=d(2)) == 2
    summary = StockSnapshotSummary.objects.get(store=a, business_date=d(2))
    assert (summary.skus, summary.on_hand, summary.value) == (2, D(14), D(37))
    # Re-taking after a late movement rewrites the summary with the snapshot.
    move(a, p2, MovementKind.SALE, "-1", "3", d(2), on_hand_after="3")
    stock_snapshot_take(store_id=a.pk, business_date=d(2))
    summary.refresh_from_db()
    assert (summary.on_hand, summary.value) == (D(13), D(34))
    assert StockSnapshotRun.objects.get(store=a, business_date=d(2)).rows == 2


def test_summary_rebuild_is_idempotent_and_drops_stale_rows(chain):
    a = chain["store"]("A")
    b = chain["store"]("B")
    p1, p2 = chain["products"][:2]
    snap(a, p1, d(1), "3", "2")
    snap(a, p2, d(1), "1", "4")
    snap(b, p1, d(2), "5", "1")
    assert stock_snapshot_summary_rebuild() == 2
    first = list(StockSnapshotSummary.objects.values_list("store_id", "business_date", "value"))
    assert sorted(first) == [(a.pk, d(1), D(10)), (b.pk, d(2), D(5))]
    StockSnapshotSummary.objects.create(store=a, business_date=d(9), on_hand=1, value=1)
    StockSnapshotSummary.objects.filter(store=b).update(value=999)
    assert stock_snapshot_summary_rebuild(store_ids=[a.pk, b.pk], start=d(1), end=d(31)) == 2
    again = list(StockSnapshotSummary.objects.values_list("store_id", "business_date", "value"))
    assert sorted(again) == sorted(first)
    assert stock_snapshot_summary_rebuild(store_ids=[]) == 0


def test_rebuild_command(chain):
    a = chain["store"]("A")
    b = chain["store"]("B")
    p1 = chain["products"][0]
    snap(a, p1, d(1), "3", "2")
    snap(a, p1, d(2), "3", "2")
    snap(b, p1, d(1), "5", "1")
    out = StringIO()
    call_command("rebuild_snapshot_summary", "--store", "A", "--from", "2026-03-02", stdout=out)
    assert out.getvalue().strip() == "1 snapshot summaries written."
    assert list(StockSnapshotSummary.objects.values_list("store__code", "business_date")) == [
        ("A", d(2))
    ]
    call_command("rebuild_snapshot_summary", stdout=out)
    assert StockSnapshotSummary.objects.count() == 3
    with pytest.raises(CommandError, match="Unknown store code"):
        call_command("rebuild_snapshot_summary", "--store", "NOPE")
    with pytest.raises(CommandError, match="must not be after"):
        call_command("rebuild_snapshot_summary", "--from", "2026-03-02", "--to", "2026-03-01")


def test_summary_migration_fills_and_empties(chain):
    migration = importlib.import_module("inventory.migrations.0003_kpi_snapshot_summary")
    a = chain["store"]("A")
    p1, p2 = chain["products"][:2]
    snap(a, p1, d(1), "3", "2")
    snap(a, p2, d(1), "1", "4")
    editor = SimpleNamespace(connection=connection)  # all the functions use
    stock_snapshot_summary_rebuild()
    migration.empty(django_apps, editor)  # backwards
    assert not StockSnapshotSummary.objects.exists()
    migration.fill(django_apps, editor)  # forwards
    row = StockSnapshotSummary.objects.get()
    assert (row.store_id, row.business_date, row.skus, row.on_hand, row.value) == (
        a.pk,
        d(1),
        2,
        D(4),
        D(10),
    )


# --- the demo chain ------------------------------------------------------------------


def test_demo_chain_has_a_value_for_every_inventory_kpi(demo):
    last = StockSnapshotSummary.objects.order_by("-business_date").values_list(
        "business_date", flat=True
    )[0]
    # The demo moves stock between stores every ten days: include one such date.
    transfer = Transfer.objects.filter(received_at__isnull=False).select_related(
        "destination_store"
    )[0]
    moved = transfer.received_at.astimezone(transfer.destination_store.tz).date()
    for date in sorted({last, last - datetime.timedelta(days=1), moved}):
        compute_kpis(business_date=date, codes=INVENTORY_CODES)
    for code in INVENTORY_CODES:
        assert KpiFact.objects.filter(code=code, value__isnull=False).exists(), code
    # The demo's summaries agree with its snapshot rows.
    store = Store.objects.filter(stock_snapshots__business_date=last).first()
    summary = StockSnapshotSummary.objects.get(store=store, business_date=last)
    rows = StockSnapshot.objects.filter(store=store, business_date=last)
    assert summary.skus == rows.count()
    assert summary.value == sum((r.value for r in rows), D(0))
    # The demo writes each snapshot's last sale date, as the snapshot job does.
    assert rows.filter(last_sold_on=last).exists()
    assert not rows.filter(last_sold_on__gt=last).exists()
