"""Inventory pages: scope, filters, constant query counts, receiving and counting."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import StockCount, StockLevel, Transfer
from inventory.services import (
    purchase_order_create,
    purchase_order_submit,
    stock_count_create,
    stock_movement_post,
)

from . import factories as f


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "name",
    [
        "inventory:stocklevel_list",
        "inventory:purchaseorder_list",
        "inventory:transfer_list",
        "inventory:stockcount_list",
    ],
)
def test_list_pages_have_a_constant_query_count(demo, client, name):
    """The same filter on a store with one row of each kind and on a busy store."""
    from stores.models import Store

    head = demo.user("headoffice")
    busy = f.store("SH001")
    quiet = Store.objects.create(code="ONE001", name="One", region=busy.region)
    product = f.product(sku="ONEP")
    stock_movement_post(
        user=head,
        store=quiet,
        product=product,
        kind="receipt",
        quantity=Decimal("3"),
        unit_cost=Decimal("1"),
    )
    purchase_order_create(
        user=head, store=quiet, supplier=f.supplier(), lines=[{"product": "ONEP", "quantity": 1}]
    )
    from inventory.services import transfer_request

    transfer_request(
        user=head,
        source_store=quiet,
        destination_store=busy,
        lines=[{"product": "ONEP", "quantity": 1}],
    )
    stock_count_create(user=head, store=quiet, category=product.category)
    stock_count_create(user=head, store=busy, category=product.category)
    client.force_login(head)
    url = reverse(name)
    few, one = _count_queries(client, url, {"store": quiet.pk})
    many, lots = _count_queries(client, url, {"store": busy.pk})
    assert len(one.context["object_list"]) == 1
    assert len(lots.context["object_list"]) > 1
    assert few == many


def test_stock_level_page_scope_and_search(demo, client):
    client.force_login(demo.user("manager"))
    url = reverse("inventory:stocklevel_list")
    response = client.get(url)
    assert {lv.store.code for lv in response.context["object_list"]} == {"SH001"}
    level = StockLevel.objects.filter(store__code="SH001").select_related("product").first()
    response = client.get(url, {"search": level.product.sku})
    assert [lv.product.sku for lv in response.context["object_list"]] == [level.product.sku]
    response = client.get(url, {"store": f.store("GZ002").pk})
    assert list(response.context["object_list"]) == []
    assert "Select a valid choice" in response.content.decode()
    htmx = client.get(url, {"search": "zzz"}, HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode()


def test_product_page_shows_only_levels_in_scope(demo, client):
    client.force_login(demo.user("manager"))
    level = StockLevel.objects.filter(store__code="SH001").first()
    response = client.get(reverse("inventory:product_detail", args=[level.product_id]))
    assert {lv.store.code for lv in response.context["levels"]} == {"SH001"}
    assert {m.store.code for m in response.context["movements"]} <= {"SH001"}


def test_receive_page_partial_line(demo, client):
    manager = demo.user("manager")
    supplier = f.supplier()
    a, b = f.product(sku="RCA", barcode="6901234567892"), f.product(sku="RCB")
    order = purchase_order_create(
        user=manager,
        store=f.store("SH001"),
        supplier=supplier,
        lines=[{"product": "RCA", "quantity": 10}, {"product": "RCB", "quantity": 3}],
    )
    purchase_order_submit(user=manager, purchase_order=order)
    client.force_login(manager)
    page = client.get(reverse("inventory:purchaseorder_detail", args=[order.pk])).content.decode()
    assert 'data-barcode="6901234567892"' in page and "data-scan-input" in page
    lines = {line.product.sku: line for line in order.lines.select_related("product")}
    url = reverse("inventory:purchaseorder_action", args=[order.pk, "receive"])
    response = client.post(url, {f"qty-{lines['RCA'].pk}": "4", f"qty-{lines['RCB'].pk}": "3"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "partially_received"
    assert StockLevel.objects.get(product=a).on_hand == Decimal("4")
    response = client.post(url, {f"qty-{lines['RCA'].pk}": "7"}, follow=True)
    assert "outstanding" in response.content.decode()
    assert StockLevel.objects.get(product=a).on_hand == Decimal("4")
    assert StockLevel.objects.get(product=b).on_hand == Decimal("3")


def test_count_page_is_blind_and_saves_a_line_with_htmx(demo, client):
    manager, store = demo.user("manager"), f.store("SH001")
    cat = f.category("pagecnt")
    product = f.product(sku="PGC", category_=cat)
    stock_movement_post(
        user=manager,
        store=store,
        product=product,
        kind="receipt",
        quantity=Decimal("12"),
        unit_cost=Decimal("1"),
    )
    count = stock_count_create(user=manager, store=store, category=cat)
    client.force_login(demo.user("staff"))
    page = client.get(reverse("inventory:stockcount_detail", args=[count.pk])).content.decode()
    assert "expected 12" not in page and 'data-testid="expected"' not in page
    line = count.lines.get()
    response = client.post(
        reverse("inventory:stockcount_line", args=[line.pk]),
        {"quantity": "11"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    line.refresh_from_db()
    assert line.counted_quantity == Decimal("11")
    bad = client.post(
        reverse("inventory:stockcount_line", args=[line.pk]),
        {"quantity": "-2"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422 and "zero or more" in bad.content.decode()
    client.post(reverse("inventory:stockcount_action", args=[count.pk, "submit"]))
    client.force_login(manager)
    page = client.get(reverse("inventory:stockcount_detail", args=[count.pk])).content.decode()
    assert "expected 12" in page
    client.post(reverse("inventory:stockcount_action", args=[count.pk, "approve"]))
    count.refresh_from_db()
    assert count.status == StockCount.Status.POSTED
    assert StockLevel.objects.get(store=store, product=product).on_hand == Decimal("11")


def test_staff_cannot_start_a_count_or_act_on_transfers(demo, client):
    client.force_login(demo.user("staff"))
    assert client.post(reverse("inventory:stockcount_create"), {}).status_code == 403
    transfer = Transfer.objects.order_by("pk").first()
    url = reverse("inventory:transfer_action", args=[transfer.pk, "approve"])
    assert client.post(url).status_code == 403
