"""The sales API: bulk receipts (all or nothing, idempotent), targets, constant queries."""

import datetime
from decimal import Decimal

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
    assert bad.status_code == 400
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
    assert out.status_code == 400 and "Unknown store" in out.json()["non_field_errors"][0]
    # A negative quantity without is_return.
    neg = api.post(url, {"receipts": [_receipt(sku, number="N", qty="-1")]}, format="json")
    assert neg.status_code == 400
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
    assert response.status_code == 400 and "must add up to" in str(response.json())
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
