"""Sales models: the database constraints (the last line of defence behind the services),
``__str__`` and the small derived properties."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from inventory.models import Product
from sales.models import (
    DailySales,
    DayTarget,
    ImportBatch,
    ImportSource,
    MonthTarget,
    Promotion,
    Receipt,
    RegionTarget,
    SalesLine,
    StoreTarget,
)
from stores.models import Store

D = Decimal
DATE = datetime.date(2026, 6, 10)


@pytest.fixture
def store(demo):
    return Store.objects.get(code="SH001")


@pytest.fixture
def receipt(store):
    return Receipt.objects.create(
        store=store,
        business_date=DATE,
        sold_at=datetime.datetime(2026, 6, 10, 2, 0, tzinfo=datetime.UTC),
        receipt_number="M-1",
    )


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_receipt_is_unique_per_store_number_and_business_date(receipt, store):
    assert str(receipt) == "M-1 (2026-06-10)"
    _refused(
        lambda: Receipt.objects.create(
            store=store, business_date=DATE, sold_at=receipt.sold_at, receipt_number="M-1"
        )
    )
    # The same number on another business date is another receipt.
    Receipt.objects.create(
        store=store,
        business_date=DATE + datetime.timedelta(days=1),
        sold_at=receipt.sold_at,
        receipt_number="M-1",
    )


def test_sales_line_constraints_and_return_flag(receipt):
    product = Product.objects.order_by("pk").first()

    def line(number, qty):
        return SalesLine.objects.create(
            receipt=receipt,
            line_number=number,
            sku=product.sku,
            product=product,
            quantity=D(qty),
            unit_price=D("2.00"),
            net_amount=D(qty) * 2,
        )

    sale = line(1, "1.500")
    assert str(sale) == f"{product.sku} × 1.500" and not sale.is_return
    assert line(2, "-1").is_return
    _refused(lambda: line(1, "3"))  # the same line number twice
    _refused(lambda: line(3, "0"))  # a zero quantity is no sale


def test_daily_sales_one_row_per_store_and_day(store):
    row = DailySales.objects.create(store=store, business_date=DATE, net_sales=D("12.50"))
    assert str(row) == f"{store.pk} 2026-06-10: 12.50"
    assert row.footfall is None and row.transactions == 0
    _refused(lambda: DailySales.objects.create(store=store, business_date=DATE))


def test_month_target_constraints(demo, store):
    _refused(
        lambda: MonthTarget.objects.create(month=DATE.replace(day=1), amount=D("0"), method="equal")
    )
    _refused(lambda: MonthTarget.objects.create(month=DATE, amount=D("10"), method="equal"))
    target = MonthTarget.objects.create(month=DATE.replace(day=1), amount=D("900"), method="equal")
    assert str(target) == "2026-06: 900"
    _refused(
        lambda: MonthTarget.objects.create(month=DATE.replace(day=1), amount=D("1"), method="equal")
    )
    region_target = RegionTarget.objects.create(
        month_target=target, region=store.region, amount=D("900")
    )
    assert str(region_target) == f"{store.region_id}: 900"
    _refused(
        lambda: RegionTarget.objects.create(month_target=target, region=store.region, amount=D("1"))
    )
    store_target = StoreTarget.objects.create(month_target=target, store=store, amount=D("900"))
    assert str(store_target) == f"{store.pk}: 900"
    _refused(lambda: StoreTarget.objects.create(month_target=target, store=store, amount=D("1")))
    day = DayTarget.objects.create(
        store_target=store_target, store=store, date=DATE, amount=D("30")
    )
    assert str(day) == f"{store.pk} 2026-06-10: 30"
    _refused(
        lambda: DayTarget.objects.create(
            store_target=store_target, store=store, date=DATE, amount=D("1")
        )
    )


@pytest.mark.parametrize("pct", ["0", "100", "-1"])
def test_promotion_discount_bounds(db, pct):
    _refused(
        lambda: Promotion.objects.create(
            name="P", start_date=DATE, end_date=DATE, discount_pct=D(pct)
        )
    )


def test_promotion_dates_and_str(db):
    _refused(
        lambda: Promotion.objects.create(
            name="P",
            start_date=DATE,
            end_date=DATE - datetime.timedelta(days=1),
            discount_pct=D("10"),
        )
    )
    promo = Promotion.objects.create(
        name="One day", start_date=DATE, end_date=DATE, discount_pct=D("99.99")
    )
    assert str(promo) == "One day"


def test_import_batch_progress_and_str(demo):
    source = ImportSource.objects.create(code="pos-x", name="POS X")
    assert str(source) == "pos-x POS X"
    _refused(lambda: ImportSource.objects.create(code="pos-x", name="again"))
    batch = ImportBatch(pk=7, file_name="a.csv", status=ImportBatch.Status.RUNNING)
    assert str(batch) == "#7 a.csv"
    assert str(ImportBatch(pk=8, channel=ImportBatch.Channel.API)) == "#8 API"
    assert batch.progress_percent == 0 and batch.is_active
    batch.rows_total, batch.rows_done = 200, 50
    assert batch.progress_percent == 25
    batch.rows_done = 500  # never past 100
    assert batch.progress_percent == 100
    done = ImportBatch(status=ImportBatch.Status.DONE)
    assert done.progress_percent == 100 and not done.is_active
    assert ImportBatch(status=ImportBatch.Status.QUEUED).is_active
