"""The sales part of seed_demo: complete, deterministic, consistent with its receipts.

Its speed is measured by the benchmarks, not asserted here."""

import datetime

from django.db.models import Sum

from sales.models import DailySales, DayTarget, MonthTarget, Promotion, Receipt, SalesLine
from sales.services import daily_sales_recompute, targets_total
from stores.models import Store
from tests.conftest import seed_test_chain

TODAY = datetime.date(2025, 3, 19)


def test_seed_is_complete(db):
    seed_test_chain(today=TODAY)
    open_stores = Store.objects.filter(status=Store.Status.OPEN)
    assert set(Receipt.objects.values_list("store_id", flat=True).distinct()) == set(
        open_stores.values_list("pk", flat=True)
    )
    assert Receipt.objects.values("business_date").distinct().count() == 14
    assert SalesLine.objects.filter(quantity__lt=0).exists()  # some returns
    assert Promotion.objects.exists()
    target = MonthTarget.objects.get(month=TODAY.replace(day=1))
    totals = targets_total(target)
    assert totals["regions"] == totals["stores"] == totals["days"] == target.amount
    assert DayTarget.objects.filter(date=TODAY).count() == open_stores.count()


def test_daily_sales_agree_with_the_receipts(db):
    seed_test_chain(today=TODAY)
    before = {
        (d.store_id, d.business_date): (d.net_sales, d.transactions, d.units, d.returns_value)
        for d in DailySales.objects.all()
    }
    daily_sales_recompute(store_dates=before.keys())
    after = {
        (d.store_id, d.business_date): (d.net_sales, d.transactions, d.units, d.returns_value)
        for d in DailySales.objects.all()
    }
    assert after == before
    assert (
        DailySales.objects.aggregate(t=Sum("net_sales"))["t"]
        == SalesLine.objects.aggregate(t=Sum("net_amount"))["t"]
    )


def test_seed_is_deterministic(transactional_db):
    seed_test_chain(today=TODAY)
    first = list(
        Receipt.objects.order_by("store__code", "receipt_number").values_list(
            "receipt_number", "cashier", "sold_at"
        )
    )
    lines = list(
        SalesLine.objects.order_by("receipt__receipt_number", "line_number").values_list(
            "sku", "quantity", "net_amount"
        )
    )
    seed_test_chain(today=TODAY, reset=True)
    assert first == list(
        Receipt.objects.order_by("store__code", "receipt_number").values_list(
            "receipt_number", "cashier", "sold_at"
        )
    )
    assert lines == list(
        SalesLine.objects.order_by("receipt__receipt_number", "line_number").values_list(
            "sku", "quantity", "net_amount"
        )
    )
