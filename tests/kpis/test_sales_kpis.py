"""The sales KPIs against values computed by hand on small scenarios.

Receipts go through ``daily_sales_recompute`` (the import's own roll-up), so returns
reduce net sales and units, and a receipt of returns only is not a transaction.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Category, Product
from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis
from opsdesk.analytics.kpis.models import KpiFact
from opsdesk.analytics.kpis.selectors import kpi_rollup
from sales.models import DailySales, DayTarget, Method, MonthTarget, Receipt, SalesLine, StoreTarget
from sales.services.daily import daily_sales_recompute
from stores.models import Region, Store

D = Decimal
SALES_CODES = ["sales_attainment_mtd", "atv", "upt"]


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2026, month, day)


@pytest.fixture
def region(db):
    return Region.objects.create(code="R1", name="Region 1")


@pytest.fixture
def make_store(region):
    def make(code, tz="UTC", **extra):
        return Store.objects.create(code=code, name=code, region=region, time_zone=tz, **extra)

    return make


@pytest.fixture
def product(db):
    category = Category.objects.create(code="C1", name="Category 1")
    return Product.objects.create(sku="P1", name="Product 1", category=category)


@pytest.fixture
def head_office(db):
    return get_user_model().objects.create_user(
        username="ho", password="x", role="head_office", is_active=True
    )


def facts(code):
    return {
        (f.store_id, f.business_date): (f.numerator, f.denominator, f.value)
        for f in KpiFact.objects.filter(code=code)
    }


def values(code, business_date, stores):
    return registry.get(code).compute(business_date, [s.pk for s in stores])


def test_sales_kpis_are_registered():
    for code in SALES_CODES:
        kpi = registry.get(code)
        assert kpi.name and kpi.name_zh and kpi.numerator and kpi.denominator
    assert registry.get("sales_attainment_mtd").scale == 100
    assert registry.get("sales_attainment_mtd").extras is not None
    assert registry.get("atv").unit == "money"


# --- sales_attainment_mtd ------------------------------------------------------------


def targets(store, month, days):
    month_target, _ = MonthTarget.objects.get_or_create(
        month=month, defaults={"amount": D(10_000), "method": Method.EQUAL}
    )
    store_target = StoreTarget.objects.create(
        month_target=month_target, store=store, amount=sum(days.values(), D(0))
    )
    for date, amount in days.items():
        DayTarget.objects.create(store_target=store_target, store=store, date=date, amount=amount)


def day_sales(store, date, net_sales, transactions=1, units="1"):
    DailySales.objects.create(
        store=store,
        business_date=date,
        net_sales=D(net_sales),
        transactions=transactions,
        units=D(units),
    )


@pytest.fixture
def attainment(make_store):
    a = make_store("A")
    b = make_store("B", opening_date=d(2))  # opened on the 2nd: targets from then on
    c = make_store("C")  # sells, but has no target: no value
    targets(a, d(1), {d(1): D(100), d(2): D(200), d(3): D(200)})
    targets(b, d(1), {d(2): D(100), d(3): D(100)})
    targets(a, d(1, 2), {d(28, 2): D(1000)})
    day_sales(a, d(1), "120")
    day_sales(a, d(2), "150")  # 03-03 is a closed day: no sales, target 200
    day_sales(a, d(28, 2), "10")
    day_sales(b, d(2), "90")
    day_sales(b, d(3), "110")
    day_sales(c, d(2), "500")
    return a, b, c


def test_attainment_stores_each_day_once(attainment):
    a, b, _c = attainment
    for date in (d(28, 2), d(1), d(2), d(3)):
        compute_kpis(business_date=date, codes=["sales_attainment_mtd"])
    assert facts("sales_attainment_mtd") == {
        (a.pk, d(28, 2)): (D(10), D(1000), D(1)),
        (a.pk, d(1)): (D(120), D(100), D(120)),
        (a.pk, d(2)): (D(150), D(200), D(75)),
        (a.pk, d(3)): (D(0), D(200), D(0)),
        (b.pk, d(2)): (D(90), D(100), D(90)),
        (b.pk, d(3)): (D(110), D(100), D(110)),
    }


def test_attainment_month_to_date_is_the_rollup_from_the_first(attainment, head_office):
    a, b, c = attainment
    for date in (d(28, 2), d(1), d(2), d(3)):
        compute_kpis(business_date=date, codes=["sales_attainment_mtd"])
    # A month to date on 03-03: (120 + 150 + 0) ÷ (100 + 200 + 200) = 54 %.
    (row,) = kpi_rollup(
        user=head_office,
        code="sales_attainment_mtd",
        start=d(1),
        end=d(3),
        store_ids=[a.pk],
    )
    assert (row["numerator"], row["denominator"], row["value"]) == (D(270), D(500), D(54))
    # Both stores on 03-02: (150 + 90) ÷ (200 + 100) = 80 %, never the mean of ratios.
    (chain,) = kpi_rollup(
        user=head_office, code="sales_attainment_mtd", start=d(2), end=d(2), group="chain"
    )
    assert chain["value"] == D(80)
    # extras: month to date at the end date, February left out: 470 ÷ 700.
    kpi = registry.get("sales_attainment_mtd")
    expected = (D(470) / D(700) * 100).quantize(D("0.000001"))
    assert kpi.extras([a.pk, b.pk], d(2), d(3)) == {"mtd": expected}
    assert kpi.extras([a.pk], d(28, 2), d(28, 2)) == {"mtd": D(1)}
    assert kpi.extras([c.pk], d(1), d(3)) == {"mtd": None}


# --- atv / upt -----------------------------------------------------------------------


def receipt(store, date, number, lines):
    r = Receipt.objects.create(
        store=store,
        business_date=date,
        sold_at=datetime.datetime.combine(date, datetime.time(12), tzinfo=store.tz),
        receipt_number=number,
    )
    for n, (quantity, amount) in enumerate(lines, start=1):
        SalesLine.objects.create(
            receipt=r,
            line_number=n,
            sku="P1",
            product_id=Product.objects.get(sku="P1").pk,
            quantity=D(quantity),
            unit_price=abs(D(amount) / D(quantity)),
            net_amount=D(amount),
        )


@pytest.fixture
def baskets(make_store, product):
    a = make_store("A", "Asia/Shanghai")
    b = make_store("B")
    closed = make_store("Z")
    # A on 03-02: R1 2 units 20 + 1 unit 5; R2 1 unit 30; R3 a return of 1 unit (−10).
    receipt(a, d(2), "R1", [("2", "20"), ("1", "5")])
    receipt(a, d(2), "R2", [("1", "30")])
    receipt(a, d(2), "R3", [("-1", "-10")])
    # A on 03-03: one receipt, 3 units for 60, of which 1 returned on the same receipt.
    receipt(a, d(3), "R4", [("3", "60"), ("-1", "-20")])
    # B on 03-02: 4 units for 100 over 2 receipts; on 03-03 only a return.
    receipt(b, d(2), "R1", [("1", "40")])
    receipt(b, d(2), "R2", [("3", "60")])
    receipt(b, d(3), "R3", [("-1", "-15")])
    daily_sales_recompute(
        store_dates={(s.pk, date) for s in (a, b, closed) for date in (d(2), d(3))}
    )
    return a, b, closed


def test_atv_and_upt_by_hand(baskets):
    a, b, closed = baskets
    # A 03-02: net 20 + 5 + 30 − 10 = 45 over 2 transactions (R3 is returns only);
    # units 2 + 1 + 1 − 1 = 3.
    assert values("atv", d(2), [a, b, closed]) == {a.pk: (D(45), D(2)), b.pk: (D(100), D(2))}
    assert values("upt", d(2), [a, b, closed]) == {a.pk: (D(3), D(2)), b.pk: (D(4), D(2))}
    # 03-03: A 40 over 1 receipt, 2 units; B returns only: no transaction, value None.
    assert values("atv", d(3), [a, b, closed]) == {a.pk: (D(40), D(1)), b.pk: (D(-15), D(0))}
    assert values("upt", d(3), [a, b, closed]) == {a.pk: (D(2), D(1)), b.pk: (D(-1), D(0))}
    # A closed store, or a day without receipts, has no row.
    assert values("atv", d(4), [a, b, closed]) == {}


def test_atv_upt_rollups_and_idempotence(baskets, head_office):
    a, b, _closed = baskets
    for _ in range(2):
        for date in (d(2), d(3)):
            compute_kpis(business_date=date, codes=["atv", "upt"])
    atv = facts("atv")
    assert atv == {
        (a.pk, d(2)): (D(45), D(2), D("22.5")),
        (b.pk, d(2)): (D(100), D(2), D(50)),
        (a.pk, d(3)): (D(40), D(1), D(40)),
        (b.pk, d(3)): (D(-15), D(0), None),
    }
    assert KpiFact.objects.count() == 8
    # Two stores on 03-02: 145 ÷ 4 = 36.25 (the mean of ratios would be 36.25 only by
    # chance of equal counts), over the week (03-02..03-08): 170 ÷ 5 = 34.
    (day,) = kpi_rollup(user=head_office, code="atv", start=d(2), end=d(2), group="chain")
    assert day["value"] == D("36.25")
    (week,) = kpi_rollup(user=head_office, code="atv", start=d(2), end=d(8), group="chain")
    assert (week["numerator"], week["denominator"], week["value"]) == (D(170), D(5), D(34))
    by_store = {
        r["key"]: r["value"] for r in kpi_rollup(user=head_office, code="upt", start=d(2), end=d(8))
    }
    assert by_store == {a.pk: D("1.666667"), b.pk: D("1.5")}  # 5 ÷ 3, 3 ÷ 2


# --- query counts, bounded window ----------------------------------------------------


def test_query_count_does_not_grow_with_stores(make_store):
    stores = [make_store(f"S{i}") for i in range(5)]
    for store in stores:
        targets(store, d(1), {d(2): D(100)})
        day_sales(store, d(2), "50", transactions=2, units="4")
    for code in SALES_CODES:
        kpi = registry.get(code)
        with CaptureQueriesContext(connection) as one:
            small = kpi.compute(d(2), [stores[0].pk])
        with CaptureQueriesContext(connection) as many:
            large = kpi.compute(d(2), [s.pk for s in stores])
        assert len(small) == 1 and len(large) == 5, code
        assert len(one) == len(many) == 1, code


def test_older_days_do_not_change_a_date(make_store):
    a = make_store("A")
    targets(a, d(1), {d(2): D(100)})
    day_sales(a, d(2), "50", transactions=2, units="4")
    before = {code: values(code, d(2), [a]) for code in SALES_CODES}
    targets(a, d(1, 1), {d(2, 1): D(5)})
    day_sales(a, d(2, 1), "999", transactions=7, units="9")
    day_sales(a, d(1), "999", transactions=7, units="9")
    assert {code: values(code, d(2), [a]) for code in SALES_CODES} == before
    assert before["sales_attainment_mtd"] == {a.pk: (D(50), D(100))}


def test_demo_chain_has_a_value_for_every_sales_kpi(demo):
    day = DayTarget.objects.order_by("-date").values_list("date", flat=True)[0]
    day = min(day, DailySales.objects.order_by("-business_date")[0].business_date)
    compute_kpis(business_date=day, codes=SALES_CODES)
    for code in SALES_CODES:
        assert KpiFact.objects.filter(code=code, value__isnull=False).exists(), code
