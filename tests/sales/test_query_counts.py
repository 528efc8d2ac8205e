"""Every sales list page and list endpoint runs a constant number of queries: counted
with one row and with many (more rows, more stores, more relations per row)."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Product
from sales.models import ImportBatch, MonthTarget, Promotion, Receipt, SalesLine
from sales.services import month_target_set
from stores.models import Store

D = Decimal
EMPTY_DAY = datetime.date(2026, 6, 10)  # no demo history


def _count(http, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url, params or {})
        assert response.status_code == 200, response.content[:300]
    return len(queries)


def _receipts(store, date, count, lines=2):
    products = list(Product.objects.order_by("pk")[:lines])
    for n in range(count):
        receipt = Receipt.objects.create(
            store=store,
            business_date=date,
            receipt_number=f"Q-{date:%m%d}-{n}",
            sold_at=datetime.datetime.combine(date, datetime.time(4, n % 60), datetime.UTC),
        )
        SalesLine.objects.bulk_create(
            SalesLine(
                receipt=receipt,
                line_number=i + 1,
                sku=p.sku,
                product=p,
                quantity=D(1),
                unit_price=D("2.00"),
                net_amount=D("2.00"),
            )
            for i, p in enumerate(products)
        )


def _promotions(count, stores, products, start=datetime.date(2026, 9, 1)):
    for n in range(count):
        promo = Promotion.objects.create(
            name=f"Q{n}",
            start_date=start + datetime.timedelta(days=n),
            end_date=start + datetime.timedelta(days=n),
            discount_pct=D("10"),
        )
        promo.stores.set(stores)
        promo.products.set(products)


def _batches(user, count):
    ImportBatch.objects.bulk_create(
        ImportBatch(uploaded_by=user, file_name=f"q{n}.csv", status=ImportBatch.Status.DONE)
        for n in range(count)
    )


def test_store_day_page_one_receipt_or_many(demo, client_as):
    store = Store.objects.get(code="SH001")
    _receipts(store, EMPTY_DAY, 1, lines=1)
    _receipts(store, EMPTY_DAY + datetime.timedelta(days=1), 40, lines=3)
    client = client_as(demo.user("manager"))
    url = reverse("sales:store_day", args=[store.pk])
    one = _count(client, url, {"date": EMPTY_DAY.isoformat()})
    many = _count(client, url, {"date": (EMPTY_DAY + datetime.timedelta(days=1)).isoformat()})
    assert one == many


def test_receipt_detail_one_line_or_many(demo, client_as):
    store = Store.objects.get(code="SH001")
    _receipts(store, EMPTY_DAY, 1, lines=1)
    _receipts(store, EMPTY_DAY + datetime.timedelta(days=1), 1, lines=8)
    client = client_as(demo.user("manager"))
    one, many = (
        _count(client, reverse("sales:receipt_detail", args=[r.pk]))
        for r in Receipt.objects.filter(receipt_number__startswith="Q-").order_by("business_date")
    )
    assert one == many


def test_targets_page_one_store_or_many(demo, client_as):
    month = EMPTY_DAY.replace(day=1)
    month_target_set(user=demo.user("headoffice"), month=month, amount=D("90000"), method="equal")
    params = {"month": f"{month:%Y-%m}"}
    # The manager sees one store's target, regional ops the 4 of a region (same controls).
    manager = _count(client_as(demo.user("manager")), reverse("sales:targets"), params)
    regional_user = demo.user("regional")
    assert Store.objects.visible_to(regional_user).count() > 1
    assert _count(client_as(regional_user), reverse("sales:targets"), params) == manager


def test_store_target_days_page_constant(demo, client_as):
    month = EMPTY_DAY.replace(day=1)
    month_target_set(user=demo.user("headoffice"), month=month, amount=D("90000"), method="equal")
    client = client_as(demo.user("headoffice"))
    targets = list(
        MonthTarget.objects.get(month=month)
        .stores.order_by("store__code")
        .values_list("pk", flat=True)
    )
    # Every store target has a month of days; one with sales on many days, one with none.
    _receipts(Store.objects.get(code="SH001"), EMPTY_DAY, 3)
    counts = {_count(client, reverse("sales:store_target_days", args=[pk])) for pk in targets[:3]}
    assert len(counts) == 1


def test_import_list_page_one_batch_or_many(demo, client_as):
    manager = demo.user("manager")
    client = client_as(manager)
    ImportBatch.objects.filter(uploaded_by=manager).delete()
    _batches(manager, 1)
    one = _count(client, reverse("sales:import_list"))
    _batches(manager, 24)
    assert _count(client, reverse("sales:import_list")) == one


def test_promotion_list_page_one_or_many(demo, client_as):
    Promotion.objects.all().delete()
    stores = list(Store.objects.order_by("pk"))
    products = list(Product.objects.order_by("pk")[:6])
    client = client_as(demo.user("headoffice"))
    _promotions(1, stores[:1], products[:1])
    one = _count(client, reverse("sales:promotion_list"))
    _promotions(20, stores, products, start=datetime.date(2026, 10, 1))
    assert _count(client, reverse("sales:promotion_list")) == one


def test_promotion_detail_page_one_store_or_many(demo, client_as):
    Promotion.objects.all().delete()
    stores = list(Store.objects.order_by("pk"))
    products = list(Product.objects.order_by("pk")[:6])
    _promotions(1, stores[:1], products[:1])
    _promotions(1, stores, products, start=datetime.date(2026, 10, 1))
    client = client_as(demo.user("headoffice"))
    one, many = (
        _count(client, reverse("sales:promotion_detail", args=[p.pk]))
        for p in Promotion.objects.order_by("start_date")
    )
    assert one == many


def test_list_endpoints_one_row_or_many(demo, api_as):
    head = demo.user("headoffice")
    api = api_as(head)
    Promotion.objects.all().delete()
    ImportBatch.objects.all().delete()
    stores = list(Store.objects.order_by("pk"))
    products = list(Product.objects.order_by("pk")[:6])
    _promotions(1, stores[:1], products[:1])
    _batches(head, 1)
    month = EMPTY_DAY.replace(day=1)
    month_target_set(user=head, month=month, amount=D("90000"), method="equal")
    names = [
        "sales-api:receipt-list",
        "sales-api:dailysales-list",
        "sales-api:monthtarget-list",
        "sales-api:storetarget-list",
        "sales-api:attainment-list",
        "sales-api:promotion-list",
        "sales-api:importbatch-list",
    ]
    one = {name: _count(api, reverse(name), {"page_size": 1}) for name in names}
    # Many: more promotions (with every store and several products), batches, months.
    _promotions(20, stores, products, start=datetime.date(2026, 10, 1))
    _batches(head, 30)
    for n in range(1, 4):
        month_target_set(
            user=head, month=datetime.date(2027, n, 1), amount=D("1000"), method="equal"
        )
    many = {name: _count(api, reverse(name), {"page_size": 200}) for name in names}
    assert one == many
