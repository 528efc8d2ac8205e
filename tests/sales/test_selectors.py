"""Attainment, pacing, uplift and the KPI inputs, against hand-computed values."""

import datetime
from decimal import Decimal

import pytest

from sales.models import DailySales, DayTarget, MonthTarget, Promotion, StoreTarget
from sales.selectors import (
    Attainment,
    attainment_by_region,
    kpi_sales_inputs,
    promotion_uplift,
    store_day,
)
from stores.models import Store

D = Decimal
DATE = datetime.date(2026, 6, 10)  # no demo history or target in June 2026


@pytest.fixture
def setup(demo):
    store = Store.objects.get(code="SH001")
    target = MonthTarget.objects.create(
        month=DATE.replace(day=1), amount=D("30000"), method="equal"
    )
    st = StoreTarget.objects.create(month_target=target, store=store, amount=D("30000"))
    for day in range(1, 31):
        DayTarget.objects.create(
            store_target=st, store=store, date=DATE.replace(day=day), amount=D("1000")
        )
    for day in range(1, 11):
        DailySales.objects.create(
            store=store,
            business_date=DATE.replace(day=day),
            net_sales=D("900"),
            transactions=30,
            units=D("75"),
        )
    return store


def test_pacing_and_attainment_hand_computed():
    a = Attainment(
        mtd_sales=D("9000"),
        mtd_target=D("10000"),
        month_target=D("30000"),
        elapsed_days=10,
        month_days=30,
    )
    assert a.attainment == D("0.9")
    assert a.projection == D("27000.00")  # 9000 / 10 × 30
    assert a.pacing == D("0.9")
    none = Attainment(D("0"), None, None, 10, 30)
    assert none.attainment is None and none.pacing is None


def test_store_day_and_region_rollup(setup, demo):
    manager = demo.user("manager")
    day = store_day(user=manager, store_pk=setup.pk, date=DATE)
    assert day.daily.net_sales == D("900") and day.day_target == D("1000")
    assert day.day_attainment == D("0.9")
    assert day.attainment.mtd_sales == D("9000") and day.attainment.mtd_target == D("10000")
    assert day.attainment.pacing == D("0.9")
    groups = attainment_by_region(user=manager, date=DATE)
    assert [g.region.code for g in groups] == ["EC"]
    assert [s.code for s, _a in groups[0].stores] == ["SH001"]
    assert groups[0].figures.attainment == D("0.9")


def test_kpi_inputs(setup):
    inputs = kpi_sales_inputs(date=DATE, store_ids=[setup.pk])[setup.pk]
    assert inputs.net_sales == D("900") and inputs.transactions == 30 and inputs.units == D("75")
    assert inputs.mtd_net_sales == D("9000") and inputs.mtd_target == D("10000")
    # atv = 900 / 30, upt = 75 / 30, attainment = 9000 / 10000
    assert inputs.net_sales / inputs.transactions == D("30")
    assert inputs.units / inputs.transactions == D("2.5")


def test_promotion_uplift_hand_computed(setup, demo):
    from inventory.models import Product
    from sales.models import Receipt, SalesLine

    product = Product.objects.order_by("pk").first()
    promo = Promotion.objects.create(name="P", start_date=DATE, end_date=DATE, discount_pct=D("10"))
    promo.stores.set([setup])
    promo.products.set([product])

    def sale(date, amount, n):
        receipt = Receipt.objects.create(
            store=setup,
            business_date=date,
            receipt_number=f"U{n}",
            sold_at=datetime.datetime.combine(date, datetime.time(12), datetime.UTC),
        )
        SalesLine.objects.create(
            receipt=receipt,
            line_number=1,
            sku=product.sku,
            product=product,
            quantity=1,
            unit_price=amount,
            net_amount=amount,
        )

    sale(DATE, D("150"), 0)
    for week in range(1, 5):
        sale(DATE - datetime.timedelta(weeks=week), D("100"), week)
    uplift = promotion_uplift(user=demo.user("manager"), promotion=promo)
    assert (uplift.promo_sales, uplift.baseline_sales) == (D("150"), D("100.00"))
    assert uplift.uplift == D("0.5")
