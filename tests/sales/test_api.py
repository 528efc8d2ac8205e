"""The sales API: bulk receipts (all or nothing, idempotent), targets, constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Product
from sales.models import DailySales, MonthTarget, Receipt


def _receipt(sku, number="API-1", store="SH001", qty="2"):
    return {
        "store": store,
        "receipt_number": number,
        "sold_at": "2025-03-19T10:00:00",
        "cashier": "王芳",
        "lines": [
            {
                "line_number": 1,
                "sku": sku,
                "quantity": qty,
                "unit_price": "3.00",
                "net_amount": "6.00",
            },
        ],
    }


def test_bulk_receipts_all_or_nothing_and_idempotent(demo, api_as):
    api = api_as(demo.user("manager"))
    sku = Product.objects.order_by("pk").first().sku
    url = reverse("sales-api:receipt-bulk")
    bad = api.post(
        url, {"receipts": [_receipt(sku), _receipt("NOPE", number="API-2")]}, format="json"
    )
    assert bad.status_code == 409  # well formed, but a SKU the catalogue does not have
    assert any("receipts[1].lines[0] sku" in m for m in bad.json()["non_field_errors"])
    assert not Receipt.objects.filter(receipt_number__startswith="API-").exists()
    ok = api.post(url, {"receipts": [_receipt(sku)]}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json() == {"rows": 1, "receipts_created": 1, "lines_created": 1, "duplicates": 0}
    again = api.post(url, {"receipts": [_receipt(sku)]}, format="json")
    assert (
        again.json()["duplicates"] == 1
        and Receipt.objects.filter(receipt_number="API-1").count() == 1
    )
    assert DailySales.objects.filter(business_date=datetime.date(2025, 3, 19)).exists()
    # Another store: refused like an unknown one, per receipt.
    out = api.post(url, {"receipts": [_receipt(sku, number="X", store="GZ002")]}, format="json")
    assert out.status_code == 409 and "Unknown store" in out.json()["non_field_errors"][0]
    # A negative quantity without is_return.
    neg = api.post(url, {"receipts": [_receipt(sku, number="N", qty="-1")]}, format="json")
    assert neg.status_code == 409  # the import's row rules, as for a file: nothing written
    assert api_as(demo.user("regional")).post(url, {}, format="json").status_code == 403


def test_head_office_sets_a_target_and_regional_adjusts(demo, api_as):
    head = api_as(demo.user("headoffice"))
    created = head.post(
        reverse("sales-api:monthtarget-list"),
        {"month": "2026-07-01", "amount": "70000.00", "method": "equal"},
        format="json",
    )
    assert created.status_code == 201, created.content
    target = MonthTarget.objects.get(month=datetime.date(2026, 7, 1))
    region = demo.regions[0]
    stores = head.get(
        reverse("sales-api:storetarget-list"), {"month": "2026-07-01", "region": region.pk}
    ).json()["results"]
    a, b = stores[0], stores[1]
    moved = {
        str(a["store"]): str(Decimal(a["amount"]) + 10),
        str(b["store"]): str(Decimal(b["amount"]) - 10),
    }
    regional = api_as(demo.user("regional"))
    url = reverse("sales-api:monthtarget-stores", args=[target.pk])
    assert (
        regional.post(url, {"region": region.pk, "amounts": moved}, format="json").status_code
        == 200
    )
    broken = {str(a["store"]): "1.00"}
    response = regional.post(url, {"region": region.pk, "amounts": broken}, format="json")
    assert response.status_code == 409 and "must add up to" in str(response.json())
    other = regional.post(url, {"region": demo.regions[1].pk, "amounts": moved}, format="json")
    assert other.status_code == 404


def _count(api, url):
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_list_endpoints_query_counts_are_constant(demo, api_as):
    head = api_as(demo.user("headoffice"))
    for name in (
        "sales-api:receipt-list",
        "sales-api:dailysales-list",
        "sales-api:storetarget-list",
        "sales-api:attainment-list",
        "sales-api:promotion-list",
        "sales-api:importbatch-list",
    ):
        url = reverse(name)
        one = _count(head, url + "?page_size=1")
        many = _count(head, url + "?page_size=200")
        assert one == many, name


# --- Found by the OpenAPI contract run (tests/contract): each a regression test. -------


def _store(code):
    from stores.models import Store

    return Store.objects.get(code=code)


def test_write_bodies_are_json_only(demo, api_as):
    head = api_as(demo.user("headoffice"))
    form = head.post(
        reverse("sales-api:monthtarget-list"), {"month": "2026-07-01", "amount": "1.00"}
    )
    assert form.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        {"month": "2026-07-02", "amount": "1000.00"},  # not the first of the month
        {"month": "2026-07-01", "amount": "0"},
        {"month": "2026-07-01", "amount": "-5"},
        {"month": "2026-07-01", "amount": 1000},  # a number, not a decimal string
        {"month": "2026-07-01", "amount": "1e5"},
    ],
)
def test_month_target_input_is_checked_as_the_schema_shows(demo, api_as, body):
    response = api_as(demo.user("headoffice")).post(
        reverse("sales-api:monthtarget-list"), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert not MonthTarget.objects.filter(month=datetime.date(2026, 7, 1)).exists()


def test_target_adjustments_refused_by_the_target_are_409(demo, api_as):
    head = api_as(demo.user("headoffice"))
    created = head.post(
        reverse("sales-api:monthtarget-list"),
        {"month": "2026-07-01", "amount": "70000.00", "method": "equal"},
        format="json",
    )
    target = created.json()["id"]
    url = reverse("sales-api:monthtarget-regions", args=[target])
    assert head.post(url, {"amounts": {}}, format="json").status_code == 400
    assert head.post(url, {"amounts": {"1": 5}}, format="json").status_code == 400
    not_an_id = head.post(url, {"amounts": {"north": "5.00"}}, format="json")
    assert not_an_id.status_code == 409 and "Not part of this target" in str(not_an_id.json())
    lock = reverse("sales-api:monthtarget-lock", args=[target])
    assert head.post(lock, {"locked": "yes"}, format="json").status_code == 400
    assert head.post(lock, {"locked": True}, format="json").status_code == 200
    locked = head.post(
        reverse("sales-api:monthtarget-list"),
        {"month": "2026-07-01", "amount": "80000.00"},
        format="json",
    )
    assert locked.status_code == 409 and "locked" in str(locked.json())


def test_footfall_bounds_and_dates(demo, api_as):
    manager = api_as(demo.user("manager"))
    url = reverse("sales-api:dailysales-footfall")
    store = _store("SH001").pk
    today = datetime.date.today()
    too_many = {"store": store, "business_date": "2026-01-05", "footfall": 10**7}
    assert manager.post(url, too_many, format="json").status_code == 400
    text = {"store": store, "business_date": "2026-01-05", "footfall": "12"}
    assert manager.post(url, text, format="json").status_code == 400
    future = {
        "store": store,
        "business_date": str(today + datetime.timedelta(days=9)),
        "footfall": 3,
    }
    assert manager.post(url, future, format="json").status_code == 409


@pytest.mark.parametrize("date", ["", "20261122", "2026-W47-1", "nope"])
def test_attainment_date_is_yyyy_mm_dd(demo, api_as, date):
    response = api_as(demo.user("headoffice")).get(
        reverse("sales-api:attainment-list"), {"date": date}
    )
    assert response.status_code == 400 and "date" in response.json()


def test_targets_locked_filter_is_strict(demo, api_as):
    api = api_as(demo.user("headoffice"))
    url = reverse("sales-api:monthtarget-list")
    assert api.get(url, {"locked": "-58800"}).status_code == 400
    assert api.get(url, {"locked": "false"}).status_code == 200


def test_promotion_bodies(demo, api_as):
    api = api_as(demo.user("headoffice"))
    url = reverse("sales-api:promotion-list")
    product = Product.objects.order_by("pk").first()
    body = {
        "name": "Contract promo",
        "start_date": "2026-12-01",
        "end_date": "2026-12-03",
        "discount_pct": "10.00",
        "stores": [_store("SH001").pk],
        "products": [product.pk],
    }
    for field, value in [("name", 0), ("discount_pct", "0"), ("discount_pct", 10)]:
        response = api.post(url, {**body, field: value}, format="json")
        assert response.status_code == 400 and field in response.json(), (field, value)
    assert api.post(url, {**body, "stores": [999999]}, format="json").status_code == 404
    assert api.post(url, {**body, "products": [999999]}, format="json").status_code == 404
    assert api.post(url, body, format="json").status_code == 201


def test_bulk_receipts_take_text_as_text(demo, api_as):
    api = api_as(demo.user("manager"))
    sku = Product.objects.order_by("pk").first().sku
    receipt = {**_receipt(sku, number="API-9"), "receipt_number": 9}
    response = api.post(reverse("sales-api:receipt-bulk"), {"receipts": [receipt]}, format="json")
    assert response.status_code == 400
    assert not Receipt.objects.filter(receipt_number="9").exists()
