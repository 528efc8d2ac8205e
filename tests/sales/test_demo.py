"""The sales part of seed_demo: complete, deterministic, consistent with its receipts.

Its speed is measured by the benchmarks, not asserted here."""

import datetime
import zoneinfo
from collections import Counter
from io import StringIO

from django.core.management import call_command
from django.db.models import Sum

from inventory.models import MovementKind, StockLevel, StockMovement
from sales.models import (
    DailySales,
    DayTarget,
    ImportBatch,
    MonthTarget,
    Promotion,
    Receipt,
    SalesLine,
)
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
    # The 14 days of the stock history, and today so far.
    dates = set(Receipt.objects.values_list("business_date", flat=True))
    assert dates == {TODAY - datetime.timedelta(days=n) for n in range(15)}
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


def test_the_ledger_sale_movements_are_the_receipt_lines(db):
    """One path: every receipt line posted its movement as a POS import does (a sale or a
    customer return, ``POS <receipt>``, the same store, business date, product and units),
    and the ledger has no other sale."""
    seed_test_chain(today=TODAY)
    kinds = [MovementKind.SALE, MovementKind.CUSTOMER_RETURN]
    movements = Counter()
    for store, date, product, reference, kind, qty in StockMovement.objects.filter(
        kind__in=kinds
    ).values_list("store_id", "business_date", "product_id", "reference", "kind", "quantity"):
        movements[(store, date, product, reference, kind)] += qty
    lines = Counter()
    for store, date, product, number, qty in SalesLine.objects.values_list(
        "receipt__store_id",
        "receipt__business_date",
        "product_id",
        "receipt__receipt_number",
        "quantity",
    ):
        kind = MovementKind.SALE if qty > 0 else MovementKind.CUSTOMER_RETURN
        lines[(store, date, product, f"POS {number}", kind)] -= qty
    assert movements and movements == lines
    assert StockMovement.objects.filter(kind=MovementKind.CUSTOMER_RETURN).exists()
    # Posted at noon of the business date in the store's zone, like the import.
    movement = StockMovement.objects.filter(kind=MovementKind.SALE).select_related("store")[0]
    local = movement.created_at.astimezone(zoneinfo.ZoneInfo(movement.store.time_zone))
    assert (local.date(), local.hour) == (movement.business_date, 12)
    # Nothing sold that was not on the shelf; levels and ledger agree.
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    out = StringIO()
    call_command("check_stock", stdout=out)
    assert "agree with the ledger" in out.getvalue()


def test_todays_receipts_are_in_the_demo_import_batches(db):
    seed_test_chain(today=TODAY)
    batches = ImportBatch.objects.filter(channel=ImportBatch.Channel.DEMO)
    assert batches.count() == 2
    today = Receipt.objects.filter(business_date=TODAY)
    assert today.exists() and not today.filter(batch__isnull=True).exists()
    assert not Receipt.objects.filter(business_date__lt=TODAY, batch__isnull=False).exists()
    for batch in batches:
        assert batch.receipts_created == today.filter(batch=batch).count() > 0
        assert batch.lines_created == SalesLine.objects.filter(receipt__batch=batch).count()
