"""Inventory API: scoped lists with constant query counts, blind counts, write actions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import PurchaseOrder, StockLevel, StockMovement, Supplier

from . import factories as f


def _queries(api, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response.json()


@pytest.mark.parametrize(
    ("name", "one_row"),
    [
        ("inventory-api:stocklevel-list", {"page_size": 1}),
        ("inventory-api:stockmovement-list", {"page_size": 1}),
        ("inventory-api:purchaseorder-list", {"page_size": 1}),
        ("inventory-api:transfer-list", {"page_size": 1}),
        ("inventory-api:stockcount-list", {"page_size": 1}),
        ("inventory-api:product-list", {"page_size": 1}),
    ],
)
def test_list_endpoints_have_a_constant_query_count(demo, api_as, name, one_row):
    api = api_as(demo.user("headoffice"))
    url = reverse(name)
    few, body_one = _queries(api, url, one_row)
    many, body_many = _queries(api, url, {"page_size": 200})
    assert len(body_one["results"]) == 1 and len(body_many["results"]) > 1
    assert few == many


def test_lists_are_scoped(demo, api_as):
    api = api_as(demo.user("manager"))
    rows = api.get(reverse("inventory-api:stocklevel-list"), {"page_size": 500}).json()["results"]
    assert rows and {row["store_code"] for row in rows} == {"SH001"}
    orders = api.get(reverse("inventory-api:purchaseorder-list")).json()["results"]
    assert {o["store_code"] for o in orders} == {"SH001"}
    gz = f.store("GZ002")
    response = api.get(reverse("inventory-api:stocklevel-list"), {"store": gz.pk})
    assert response.status_code in (400, 404)  # an out-of-scope store is refused


def test_stock_level_filters(demo, api_as):
    api = api_as(demo.user("headoffice"))
    level = StockLevel.objects.select_related("product", "store").order_by("pk").first()
    rows = api.get(
        reverse("inventory-api:stocklevel-list"),
        {"store": level.store_id, "search": level.product.barcode},
    ).json()["results"]
    assert [r["sku"] for r in rows] == [level.product.sku]
    StockLevel.objects.filter(pk=level.pk).update(on_hand=0)
    low = api.get(
        reverse("inventory-api:stocklevel-list"), {"store": level.store_id, "low_stock": "true"}
    ).json()["results"]
    assert level.product.sku in {r["sku"] for r in low}


def test_receive_through_the_api(demo, api_as):
    manager = demo.user("manager")
    api = api_as(manager)
    supplier = Supplier.objects.order_by("pk").first()
    supplier.min_order_value = 0
    supplier.save()
    product = f.product(sku="APIRCV")
    created = api.post(
        reverse("inventory-api:purchaseorder-list"),
        {
            "store": f.store("SH001").pk,
            "supplier": supplier.pk,
            "lines": [{"product": "APIRCV", "quantity": "5", "unit_cost": "2"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.post(reverse("inventory-api:purchaseorder-submit", args=[pk])).status_code == 200
    before = StockMovement.objects.count()
    refused = api.post(
        reverse("inventory-api:purchaseorder-receive", args=[pk]),
        {"lines": [{"product": "APIRCV", "quantity": "6"}]},
        format="json",
    )
    assert refused.status_code == 400 and "outstanding" in refused.json()["lines"][0]
    assert StockMovement.objects.count() == before
    done = api.post(
        reverse("inventory-api:purchaseorder-receive", args=[pk]),
        {"lines": [{"product": "APIRCV", "quantity": "2"}]},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "partially_received"
    assert StockLevel.objects.get(product=product).on_hand == Decimal("2")
    # Another store's manager cannot see the order at all.
    other = api_as(demo.user("manager-GZ002"))
    assert other.get(reverse("inventory-api:purchaseorder-detail", args=[pk])).status_code == 404
    # Creating an order for a store outside your scope is a 404, nothing is written.
    count = PurchaseOrder.objects.count()
    response = other.post(
        reverse("inventory-api:purchaseorder-list"),
        {
            "store": f.store("SH001").pk,
            "supplier": supplier.pk,
            "lines": [{"product": "APIRCV", "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 404 and PurchaseOrder.objects.count() == count


def test_blind_count_hides_expected_until_submitted(demo, api_as):
    api = api_as(demo.user("manager"))
    store = f.store("SH001")
    cat = f.category("blindapi")
    product = f.product(sku="BLIND", category_=cat)
    from inventory.services import stock_movement_post

    stock_movement_post(
        user=demo.user("manager"),
        store=store,
        product=product,
        kind="receipt",
        quantity=Decimal("5"),
        unit_cost=Decimal("1"),
    )
    created = api.post(
        reverse("inventory-api:stockcount-list"),
        {"store": store.pk, "category": cat.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    (line,) = body["lines"]
    assert line["expected_quantity"] is None and line["variance"] is None
    detail = reverse("inventory-api:stockcount-detail", args=[body["id"]])
    assert api.get(detail).json()["lines"][0]["expected_quantity"] is None
    staff = api_as(demo.user("staff"))
    set_line = reverse("inventory-api:stockcount-count-line", args=[body["id"]])
    answer = staff.post(set_line, {"line": line["id"], "quantity": "4"}, format="json")
    assert answer.status_code == 200 and answer.json()["expected_quantity"] is None
    submitted = staff.post(reverse("inventory-api:stockcount-submit", args=[body["id"]]))
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["lines"][0]["expected_quantity"] == "5.000"
    assert submitted.json()["lines"][0]["variance"] == "-1.000"
    assert (
        staff.post(reverse("inventory-api:stockcount-approve", args=[body["id"]])).status_code
        == 403
    )
    assert (
        api.post(reverse("inventory-api:stockcount-approve", args=[body["id"]])).status_code == 200
    )
    posted = api.post(reverse("inventory-api:stockcount-post-count", args=[body["id"]]))
    assert posted.json()["status"] == "posted"
    again = api.post(reverse("inventory-api:stockcount-post-count", args=[body["id"]]))
    assert again.status_code == 400 and "already been posted" in again.json()["status"][0]
