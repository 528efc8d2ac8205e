"""The snapshot job's ``last_sold_on``: the latest business date with a ``sale`` movement
of the product, on or before the snapshot's date, carried forward from the previous
snapshot so that one date never reads the whole history."""

import datetime
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    Category,
    MovementKind,
    Product,
    StockLevel,
    StockMovement,
    StockSnapshot,
)
from inventory.services.snapshots import LAST_SOLD_LOOKBACK_DAYS, stock_snapshot_take
from stores.models import Region, Store

D = Decimal
DAY = datetime.timedelta(days=1)


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2026, month, day)


@pytest.fixture
def shop(db):
    region = Region.objects.create(code="R1", name="Region 1")
    store = Store.objects.create(code="A", name="A", region=region, time_zone="UTC")
    category = Category.objects.create(code="C1", name="Category 1")
    products = [
        Product.objects.create(sku=f"P{i}", name=f"Product {i}", category=category)
        for i in range(1, 5)
    ]
    return SimpleNamespace(store=store, products=products)


def move(store, product, kind, quantity, date, on_hand_after):
    return StockMovement.objects.create(
        store=store,
        product=product,
        kind=kind,
        quantity=D(quantity),
        unit_cost=D(1),
        on_hand_after=D(on_hand_after),
        avg_cost_after=D(1),
        business_date=date,
        created_at=datetime.datetime.combine(date, datetime.time(12), tzinfo=datetime.UTC),
    )


def last_sold(store, date):
    return dict(
        StockSnapshot.objects.filter(store=store, business_date=date).values_list(
            "product__sku", "last_sold_on"
        )
    )


def test_from_the_ledger_sales_only_up_to_the_date(shop):
    store, (p1, p2, p3, p4) = shop.store, shop.products
    for product in (p1, p2, p3, p4):
        move(store, product, MovementKind.RECEIPT, "10", d(1), "10")
    move(store, p1, MovementKind.SALE, "-1", d(2), "9")
    move(store, p1, MovementKind.SALE, "-1", d(5), "8")
    move(store, p1, MovementKind.CUSTOMER_RETURN, "1", d(6), "9")  # a return is no sale
    move(store, p3, MovementKind.SALE, "-1", d(3), "9")
    move(store, p3, MovementKind.SALE, "-1", d(8), "8")  # after the date: not read
    move(store, p4, MovementKind.CUSTOMER_RETURN, "1", d(4), "11")
    assert stock_snapshot_take(store_id=store.pk, business_date=d(6)) == 4
    assert last_sold(store, d(6)) == {"P1": d(5), "P2": None, "P3": d(3), "P4": None}
    # Idempotent: a re-run writes the same values.
    stock_snapshot_take(store_id=store.pk, business_date=d(6))
    assert last_sold(store, d(6)) == {"P1": d(5), "P2": None, "P3": d(3), "P4": None}


def test_from_the_levels_today(shop):
    store, (p1, p2, *_rest) = shop.store, shop.products
    today = store.business_date()
    move(store, p1, MovementKind.RECEIPT, "10", today - 3 * DAY, "10")
    move(store, p1, MovementKind.SALE, "-2", today - 2 * DAY, "8")
    move(store, p2, MovementKind.RECEIPT, "5", today - 3 * DAY, "5")
    move(store, p2, MovementKind.SALE, "-1", today - 40 * DAY, "4")
    move(store, p2, MovementKind.SALE, "-1", today, "4")
    move(store, p2, MovementKind.CUSTOMER_RETURN, "1", today, "5")
    StockLevel.objects.create(store=store, product=p1, on_hand=D(8), avg_cost=D(1))
    StockLevel.objects.create(store=store, product=p2, on_hand=D(5), avg_cost=D(1))
    assert stock_snapshot_take(store_id=store.pk, business_date=today) == 2
    assert last_sold(store, today) == {"P1": today - 2 * DAY, "P2": today}


def test_carried_forward_from_the_previous_snapshot(shop):
    store, (p1, p2, *_rest) = shop.store, shop.products
    move(store, p1, MovementKind.RECEIPT, "10", d(1, 1), "10")
    move(store, p1, MovementKind.SALE, "-1", d(2, 1), "9")
    move(store, p2, MovementKind.RECEIPT, "10", d(1, 1), "10")
    # The store's first snapshot reads all its sales.
    stock_snapshot_take(store_id=store.pk, business_date=d(2, 1))
    assert last_sold(store, d(2, 1)) == {"P1": d(2, 1), "P2": None}
    # As if the previous snapshot knew of a sale of P2 that this ledger does not hold:
    # the next snapshot carries it forward instead of reading the history again.
    StockSnapshot.objects.filter(product=p2).update(last_sold_on=datetime.date(2025, 12, 31))
    stock_snapshot_take(store_id=store.pk, business_date=d(31))  # 58 days later
    assert last_sold(store, d(31)) == {"P1": d(2, 1), "P2": datetime.date(2025, 12, 31)}


def test_late_sales_within_the_lookback_count_and_older_history_is_not_read(shop):
    store, (p1, p2, p3, _p4) = shop.store, shop.products
    for product in (p1, p2, p3):
        move(store, product, MovementKind.RECEIPT, "10", d(1, 1), "10")
    stock_snapshot_take(store_id=store.pk, business_date=d(1, 1))
    stock_snapshot_take(store_id=store.pk, business_date=d(30))
    # Posted after the snapshot of 03-30 for earlier business dates (a late POS file).
    move(store, p1, MovementKind.SALE, "-1", d(31) - (LAST_SOLD_LOOKBACK_DAYS - 1) * DAY, "9")
    move(store, p2, MovementKind.SALE, "-1", d(31) - (LAST_SOLD_LOOKBACK_DAYS + 1) * DAY, "9")
    move(store, p3, MovementKind.SALE, "-1", d(31), "9")
    with CaptureQueriesContext(connection) as queries:
        stock_snapshot_take(store_id=store.pk, business_date=d(31))
    assert last_sold(store, d(31)) == {
        "P1": d(31) - (LAST_SOLD_LOOKBACK_DAYS - 1) * DAY,  # within the look-back: seen
        "P2": None,  # older than the look-back and the previous snapshot: not read
        "P3": d(31),
    }
    # The sales read are bounded below by the look-back (the previous snapshot is newer).
    upsert = next(q for q in queries if q["sql"].startswith("INSERT INTO"))
    assert str(d(31) - LAST_SOLD_LOOKBACK_DAYS * DAY) in upsert["sql"]


def test_migration_fills_and_empties(shop):
    migration = importlib.import_module("inventory.migrations.0004_stocksnapshot_last_sold_on")
    store, (p1, p2, p3, _p4) = shop.store, shop.products
    move(store, p1, MovementKind.SALE, "-1", d(2), "9")
    move(store, p1, MovementKind.SALE, "-1", d(4), "8")
    move(store, p1, MovementKind.CUSTOMER_RETURN, "1", d(5), "9")
    move(store, p2, MovementKind.SALE, "-1", d(3), "9")
    move(store, p3, MovementKind.RECEIPT, "1", d(1), "1")
    for date in (d(1), d(2), d(3), d(4), d(5)):
        for product in (p1, p2, p3):
            StockSnapshot.objects.create(
                store=store, product=product, business_date=date, on_hand=1, avg_cost=1, value=1
            )
    editor = SimpleNamespace(connection=connection)
    migration.fill(django_apps, editor)
    rows = StockSnapshot.objects.order_by("business_date", "product__sku").values_list(
        "business_date", "product__sku", "last_sold_on"
    )
    assert [r for r in rows if r[2]] == [
        (d(2), "P1", d(2)),
        (d(3), "P1", d(2)),
        (d(3), "P2", d(3)),
        (d(4), "P1", d(4)),
        (d(4), "P2", d(3)),
        (d(5), "P1", d(4)),
        (d(5), "P2", d(3)),
    ]
    # The job, run again for a date, agrees with the migration.
    filled = last_sold(store, d(5))
    stock_snapshot_take(store_id=store.pk, business_date=d(5))
    assert last_sold(store, d(5)) == filled
    migration.empty(django_apps, editor)  # backwards
    assert not StockSnapshot.objects.filter(last_sold_on__isnull=False).exists()
