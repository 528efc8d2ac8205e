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
    # The body is well formed; the order's state refuses it (more than outstanding): 409.
    assert refused.status_code == 409 and "outstanding" in refused.json()["lines"][0]
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
    assert again.status_code == 409 and "already been posted" in again.json()["status"][0]


# --- Found by the OpenAPI contract run (tests/contract): each a regression test. -------


def _order(api, supplier, **line):
    return api.post(
        reverse("inventory-api:purchaseorder-list"),
        {
            "store": f.store("SH001").pk,
            "supplier": supplier.pk,
            "lines": [{"product": "APIQ", "quantity": "5", **line}],
        },
        format="json",
    )


def test_write_bodies_are_json_only(demo, api_as):
    api = api_as(demo.user("headoffice"))
    form = api.post(reverse("inventory-api:category-list"), {"code": "frm", "name": "Form"})
    assert form.status_code == 415


@pytest.mark.parametrize(
    "line",
    [
        {"quantity": "0"},
        {"quantity": "-1"},
        {"quantity": "1.2345"},
        {"quantity": "1e3"},
        {"quantity": " 2"},
        {"quantity": 5},
        {"quantity": "1000000000"},
        {"unit_cost": "-1"},
        {"unit_cost": 2.5},
        {"product": 12},
    ],
)
def test_order_lines_are_checked_as_the_schema_shows(demo, api_as, line):
    """Quantities and costs are decimal strings with the documented pattern (400), not
    whatever the service can parse; a number is not a product reference."""
    api = api_as(demo.user("manager"))
    f.product(sku="APIQ")
    supplier = f.supplier()
    before = PurchaseOrder.objects.count()
    response = _order(api, supplier, **line)
    assert response.status_code == 400, response.content
    assert "lines" in response.json()
    assert PurchaseOrder.objects.count() == before


def test_order_refusals_of_well_formed_bodies_are_409(demo, api_as):
    api = api_as(demo.user("manager"))
    f.product(sku="APIQ")
    supplier = f.supplier()
    unknown = _order(api, supplier, product="NO-SUCH-SKU")
    assert unknown.status_code == 409 and "Unknown product" in str(unknown.json())
    assert (
        api.post(
            reverse("inventory-api:purchaseorder-list"),
            {"store": f.store("SH001").pk, "supplier": supplier.pk, "lines": []},
            format="json",
        ).status_code
        == 400
    )  # an empty list is malformed (minItems 1 in the schema)
    created = _order(api, supplier)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    cancel = reverse("inventory-api:purchaseorder-cancel", args=[pk])
    assert api.post(cancel).status_code == 200
    again = api.post(cancel)
    assert again.status_code == 409 and "status" in again.json()
    submit = api.post(reverse("inventory-api:purchaseorder-submit", args=[pk]))
    assert submit.status_code == 409
    receive = reverse("inventory-api:purchaseorder-receive", args=[pk])
    both = api.post(
        receive, {"lines": [{"line": 1, "product": "APIQ", "quantity": "1"}]}, format="json"
    )
    assert both.status_code == 400  # a line or a product, not both


def test_orders_name_stores_of_your_scope(demo, api_as):
    api = api_as(demo.user("manager"))
    f.product(sku="APIQ")
    response = api.post(
        reverse("inventory-api:purchaseorder-list"),
        {
            "store": f.store("GZ002").pk,
            "supplier": f.supplier().pk,
            "lines": [{"product": "APIQ", "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 404


def test_count_with_category_0_names_a_category(demo, api_as):
    api = api_as(demo.user("manager"))
    response = api.post(
        reverse("inventory-api:stockcount-list"),
        {"store": f.store("SH001").pk, "category": 0},
        format="json",
    )
    assert response.status_code == 404  # not "no category": a count of everything


def test_count_line_quantities_are_decimal_strings(demo, api_as):
    api = api_as(demo.user("manager"))
    created = api.post(
        reverse("inventory-api:stockcount-list"), {"store": f.store("SH001").pk}, format="json"
    )
    assert created.status_code == 201, created.content
    count = created.json()
    url = reverse("inventory-api:stockcount-count-line", args=[count["id"]])
    line = count["lines"][0]["id"]
    for bad in [{"line": line, "quantity": 3}, {"line": line, "quantity": "-1"}]:
        assert api.post(url, bad, format="json").status_code == 400, bad
    assert api.post(url, {"line": line, "quantity": "0"}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("inventory-api:product-list", {"active": "-58800"}),
        ("inventory-api:supplier-list", {"active": "yes"}),
        ("inventory-api:stocklevel-list", {"low_stock": "2"}),
        ("inventory-api:stockmovement-list", {"product": "4.6e187"}),
        ("inventory-api:stockmovement-list", {"product": "1.0"}),
        ("inventory-api:replenishment-list", {"store": "abc"}),
    ],
)
def test_malformed_filters_are_refused_not_ignored(demo, api_as, name, params):
    response = api_as(demo.user("headoffice")).get(reverse(name), params)
    assert response.status_code == 400, response.content[:200]


def test_replenishment_store_filter_is_404_for_another_store(demo, api_as):
    api = api_as(demo.user("manager"))
    url = reverse("inventory-api:replenishment-list")
    for store in ["-10416", str(f.store("GZ002").pk), "9" * 30]:
        assert api.get(url, {"store": store}).status_code == 404, store
    assert api.get(url, {"store": f.store("SH001").pk}).status_code == 200


def test_stock_movement_product_filter(demo, api_as):
    api = api_as(demo.user("headoffice"))
    movement = StockMovement.objects.order_by("pk").first()
    rows = api.get(
        reverse("inventory-api:stockmovement-list"),
        {"product": movement.product_id, "page_size": 500},
    ).json()["results"]
    assert rows and {r["product"] for r in rows} == {movement.product_id}


def test_transfer_state_refusals_are_409(demo, api_as):
    api = api_as(demo.user("manager"))
    product = StockLevel.objects.filter(store=f.store("SH001"), on_hand__gt=5).first().product
    created = api.post(
        reverse("inventory-api:transfer-list"),
        {
            "source_store": f.store("SH001").pk,
            "destination_store": f.store("SH004").pk,
            "lines": [{"product": product.sku, "quantity": "1"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    ship = api.post(
        reverse("inventory-api:transfer-ship", args=[created.json()["id"]]), {}, format="json"
    )
    assert ship.status_code == 409 and "status" in ship.json()  # not approved yet
    same = api.post(
        reverse("inventory-api:transfer-list"),
        {
            "source_store": f.store("SH001").pk,
            "destination_store": f.store("SH001").pk,
            "lines": [{"product": product.sku, "quantity": "1"}],
        },
        format="json",
    )
    assert same.status_code == 409
