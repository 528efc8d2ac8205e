"""Replenishment pages and API: every role and scope, the create-orders flow (edited
quantities, 0 removes, a bad line refuses everything, a double submit creates nothing
more), transfer requests, constant query counts and the OpenAPI schema."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import PurchaseOrder, ReorderRule, ReplenishmentBatch, Transfer
from stores.models import Store

from . import factories as f
from .test_replenishment import K, build_shortage, move, rule

D = Decimal


@pytest.fixture
def shortage(demo):
    return build_shortage(demo)


def page_url(store, name="replenishment_store"):
    return reverse(f"inventory:{name}", kwargs={"pk": store.pk})


def users_by_scope(demo, shortage):
    """(username, expected status of the store's page)."""
    store, far = shortage.store, shortage.far
    return [
        ("manager", 200),
        (f"manager-{shortage.neighbour.code}", 404),
        (f"regional-{store.region.code}", 200),
        (f"regional-{far.region.code}", 404),
        ("headoffice", 200),
        ("admin", 200),
        ("staff", 403),
    ]


# --- pages: roles and scope -----------------------------------------------------------


def test_anonymous_goes_to_login(shortage, client):
    before = PurchaseOrder.objects.count(), Transfer.objects.count()
    for url in (
        reverse("inventory:replenishment_index"),
        page_url(shortage.store),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for name in ("replenishment_orders", "replenishment_transfer"):
        response = client.post(page_url(shortage.store, name), {"key": "k"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert (PurchaseOrder.objects.count(), Transfer.objects.count()) == before


def test_store_page_by_role_and_scope(shortage, demo, client):
    for username, expected in users_by_scope(demo, shortage):
        client.force_login(demo.user(username))
        response = client.get(page_url(shortage.store))
        assert response.status_code == expected, username
        if expected == 200:
            body = response.content.decode()
            assert "RPL1" in body and "RPL3" in body and "RPL4" not in body


def test_writes_by_role_and_scope_are_refused_before_anything_is_written(shortage, demo, client):
    before = (PurchaseOrder.objects.count(), Transfer.objects.count())
    data = {"key": "k", f"qty-{shortage.p2.pk}": "10", "source": shortage.neighbour.pk}
    for username, expected in users_by_scope(demo, shortage):
        if expected == 200:
            continue
        client.force_login(demo.user(username))
        for name in ("replenishment_orders", "replenishment_transfer"):
            response = client.post(page_url(shortage.store, name), data)
            assert response.status_code == expected, (username, name)
    assert (PurchaseOrder.objects.count(), Transfer.objects.count()) == before


def test_index_lists_the_stores_in_scope(shortage, demo, client):
    client.force_login(demo.user("manager"))
    body = client.get(reverse("inventory:replenishment_index")).content.decode()
    assert page_url(shortage.store) in body and page_url(shortage.neighbour) not in body
    regional = demo.user(f"regional-{shortage.store.region.code}")
    client.force_login(regional)
    body = client.get(reverse("inventory:replenishment_index")).content.decode()
    in_region = Store.objects.filter(region=shortage.store.region).exclude(
        status__in=["closed", "planned"]
    )
    for store in in_region:
        assert page_url(store) in body
    assert page_url(shortage.far) not in body
    client.force_login(demo.user("staff"))
    assert client.get(reverse("inventory:replenishment_index")).status_code == 403


# --- pages: the flow --------------------------------------------------------------------


def form_of(response) -> dict:
    """The create-orders form's fields as the page rendered them."""
    body = response.content.decode()
    form = body[body.index('data-testid="replenishment-form"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'name="((?:qty-\d+)|key)" [^>]*?value="([^"]*)"', form))
    fields.update(re.findall(r'name="(key)" value="([^"]*)"', form))
    return fields


def test_page_shows_groups_suggestions_and_transfers(shortage, demo, client):
    client.force_login(demo.user("manager"))
    response = client.get(page_url(shortage.store))
    body = response.content.decode()
    assert f'data-testid="supplier-{shortage.x.code}"' in body
    assert f'data-testid="supplier-{shortage.y.code}"' in body
    fields = form_of(response)
    assert fields[f"qty-{shortage.p1.pk}"] == "24"
    assert fields[f"qty-{shortage.p2.pk}"] == "10"
    assert fields[f"qty-{shortage.p3.pk}"] == "15"
    assert fields["key"]
    assert f'data-testid="transfer-{shortage.neighbour.code}"' in body
    assert f'data-testid="transfer-{shortage.far.code}"' not in body


def test_create_orders_with_edits_lands_on_the_created_orders(shortage, demo, client):
    client.force_login(demo.user("manager"))
    fields = form_of(client.get(page_url(shortage.store)))
    fields[f"qty-{shortage.p1.pk}"] = "12"
    fields[f"qty-{shortage.p2.pk}"] = "0"
    before = PurchaseOrder.objects.count()
    response = client.post(page_url(shortage.store, "replenishment_orders"), fields)
    assert response.status_code == 302
    assert PurchaseOrder.objects.count() == before + 2
    batch = ReplenishmentBatch.objects.get(key=fields["key"])
    assert response["Location"] == f"{page_url(shortage.store)}?created={batch.key}#created"
    lines = {
        (line.product.sku, line.quantity_ordered)
        for order in batch.purchase_orders.all()
        for line in order.lines.all()
    }
    assert lines == {("RPL1", D("12")), ("RPL3", D("15"))}
    landing = client.get(response["Location"]).content.decode()
    for order in batch.purchase_orders.all():
        assert reverse("inventory:purchaseorder_detail", kwargs={"pk": order.pk}) in landing
        assert order.number in landing
    # A double submit of the same form creates nothing more and lands on the same orders.
    again = client.post(page_url(shortage.store, "replenishment_orders"), fields)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert PurchaseOrder.objects.count() == before + 2


def test_a_bad_line_shows_its_message_keeps_the_input_and_creates_nothing(shortage, demo, client):
    client.force_login(demo.user("manager"))
    fields = form_of(client.get(page_url(shortage.store)))
    fields[f"qty-{shortage.p1.pk}"] = "7"  # packs of 6
    fields[f"qty-{shortage.p3.pk}"] = "20"
    before = PurchaseOrder.objects.count()
    response = client.post(page_url(shortage.store, "replenishment_orders"), fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-RPL1"' in body and "packs of 6" in body
    assert 'data-testid="error-RPL3"' not in body
    shown = form_of(response)
    assert shown[f"qty-{shortage.p1.pk}"] == "7" and shown[f"qty-{shortage.p3.pk}"] == "20"
    assert PurchaseOrder.objects.count() == before
    assert not ReplenishmentBatch.objects.exists()


def test_a_post_without_key_or_lines_is_refused(shortage, demo, client):
    client.force_login(demo.user("headoffice"))
    response = client.post(page_url(shortage.store, "replenishment_orders"), {})
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    response = client.post(page_url(shortage.store, "replenishment_orders"), {"key": "abc"})
    assert response.status_code == 400
    assert "Nothing to order" in response.content.decode()


def test_transfer_request_from_the_page(shortage, demo, client):
    client.force_login(demo.user("manager"))
    data = {"key": "tk-1", "source": shortage.neighbour.pk, f"tqty-{shortage.p2.pk}": "8"}
    before = Transfer.objects.count()
    response = client.post(page_url(shortage.store, "replenishment_transfer"), data)
    assert response.status_code == 302
    transfer = Transfer.objects.order_by("-pk").first()
    assert Transfer.objects.count() == before + 1
    assert (transfer.source_store, transfer.destination_store) == (
        shortage.neighbour,
        shortage.store,
    )
    assert transfer.lines.get().quantity_requested == D("8")
    landing = client.get(response["Location"]).content.decode()
    assert transfer.number in landing
    # The far store (another region) is not a source: 400 with the message, nothing written.
    data = {"key": "tk-2", "source": shortage.far.pk, f"tqty-{shortage.p2.pk}": "8"}
    response = client.post(page_url(shortage.store, "replenishment_transfer"), data)
    assert response.status_code == 400
    assert Transfer.objects.count() == before + 1


def test_page_queries_do_not_grow_with_lines(demo, client):
    ReorderRule.objects.all().delete()
    manager = demo.user("manager")
    store = Store.objects.get(assignments__user=manager)
    neighbour = Store.objects.filter(region=store.region).exclude(pk=store.pk).first()
    head = demo.user("headoffice")
    client.force_login(manager)

    def add(n):
        supplier = f.supplier()
        for _ in range(n):
            product = f.product()
            f.terms(product, supplier, pack_size=2)
            rule(store, product, "5", "10")
            move(head, neighbour, product, K.RECEIPT, 30)
            rule(neighbour, product, "5", "10")

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page_url(store))
        assert response.status_code == 200
        return len(captured), response.content.decode().count('data-testid="line-')

    add(1)
    one, lines_one = count()
    add(6)
    many, lines_many = count()
    assert (lines_one, lines_many) == (1, 7)
    assert one == many


# --- API --------------------------------------------------------------------------------

LIST = "inventory-api:replenishment-list"
ORDERS = "inventory-api:replenishment-create-orders"
TRANSFER = "inventory-api:replenishment-request-transfer"


def test_api_anonymous_is_401(shortage, api_client):
    assert api_client.get(reverse(LIST)).status_code == 401
    assert api_client.post(reverse(ORDERS), {}, format="json").status_code == 401
    assert api_client.post(reverse(TRANSFER), {}, format="json").status_code == 401


def test_api_list_by_role_and_scope(shortage, demo, api_as):
    def skus(username, **params):
        response = api_as(demo.user(username)).get(reverse(LIST), {"page_size": 500, **params})
        return response.status_code, response.json() if response.status_code == 200 else None

    status, body = skus("manager", store=shortage.store.pk)
    assert status == 200
    rows = {row["sku"]: row for row in body["results"]}
    assert set(rows) == {"RPL1", "RPL2", "RPL3"}
    assert rows["RPL1"]["suggested_quantity"] == "24.000"
    assert rows["RPL1"]["on_order"] == "5.000"
    assert rows["RPL2"]["transfer_source"] == shortage.neighbour.pk
    assert rows["RPL2"]["transfer_quantity"] == "10.000"
    assert rows["RPL3"]["supplier"] == shortage.y.pk
    assert skus("staff")[0] == 403
    for username in (f"manager-{shortage.neighbour.code}", f"regional-{shortage.far.region.code}"):
        # A store outside the user's scope, named as a filter: 404, as an unknown one.
        assert skus(username, store=shortage.store.pk)[0] == 404, username
        status, body = skus(username)
        assert status == 200
        assert shortage.store.pk not in {row["store"] for row in body["results"]}, username
    status, body = skus("headoffice")
    assert {"RPL1", "RPL2", "RPL3"} <= {row["sku"] for row in body["results"]}
    assert api_as(demo.user("headoffice")).get(reverse(LIST), {"store": "x"}).status_code == 400


def test_api_create_orders_is_idempotent_and_all_or_nothing(shortage, demo, api_as):
    api = api_as(demo.user("manager"))
    before = PurchaseOrder.objects.count()
    bad = {
        "store": shortage.store.pk,
        "key": "api-1",
        "lines": [{"product": "RPL1", "quantity": "5"}, {"product": "RPL3", "quantity": "15"}],
    }
    response = api.post(reverse(ORDERS), bad, format="json")
    assert response.status_code == 409  # well formed; the supplier's minimum refuses it
    assert any("RPL1" in m for m in response.json()["lines"])
    assert PurchaseOrder.objects.count() == before
    good = {**bad, "lines": [{"product": "RPL1", "quantity": "6"}, bad["lines"][1]]}
    first = api.post(reverse(ORDERS), good, format="json")
    assert first.status_code == 201
    assert first.json()["created"] is True and len(first.json()["purchase_orders"]) == 2
    again = api.post(reverse(ORDERS), good, format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["purchase_orders"] == first.json()["purchase_orders"]
    assert PurchaseOrder.objects.count() == before + 2


def test_api_writes_by_role_and_scope(shortage, demo, api_as):
    body = {
        "store": shortage.store.pk,
        "lines": [{"product": "RPL2", "quantity": "10"}],
        "source_store": shortage.neighbour.pk,
    }
    before = (PurchaseOrder.objects.count(), Transfer.objects.count())
    for username, expected in users_by_scope(demo, shortage):
        if expected == 200:
            continue
        api = api_as(demo.user(username))
        assert api.post(reverse(ORDERS), body, format="json").status_code == expected
        assert api.post(reverse(TRANSFER), body, format="json").status_code == expected
    assert (PurchaseOrder.objects.count(), Transfer.objects.count()) == before
    regional = api_as(demo.user(f"regional-{shortage.store.region.code}"))
    created = regional.post(reverse(TRANSFER), {**body, "key": "api-t"}, format="json")
    assert created.status_code == 201
    (transfer,) = created.json()["transfers"]
    assert transfer["source_store"] == shortage.neighbour.pk
    assert transfer["destination_store"] == shortage.store.pk
    far = regional.post(
        reverse(TRANSFER), {**body, "source_store": shortage.far.pk, "key": "api-f"}, format="json"
    )
    assert far.status_code == 404  # not a store of the user's regions
    head = api_as(demo.user("headoffice"))
    far = head.post(
        reverse(TRANSFER), {**body, "source_store": shortage.far.pk, "key": "api-g"}, format="json"
    )
    assert far.status_code == 409 and "same region" in str(far.json())


def test_api_list_queries_do_not_grow_with_stores(demo, api_as):
    ReorderRule.objects.all().delete()
    head = demo.user("headoffice")
    api = api_as(head)
    stores = list(Store.objects.filter(status="open").order_by("pk"))
    supplier = f.supplier()

    def add(its_stores):
        product = f.product()
        f.terms(product, supplier)
        for store in its_stores:
            rule(store, product, "5", "10")

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(reverse(LIST))
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    add(stores[:1])
    one, rows_one = count()
    for _ in range(3):
        add(stores)
    many, rows_many = count()
    assert (rows_one, rows_many) == (1, 1 + 3 * len(stores))
    assert one == many


def test_schema_documents_the_endpoints(db, client):
    response = client.get(reverse("schema"), {"format": "json"})
    paths = response.json()["paths"]
    assert "/api/v1/inventory/replenishment/" in paths
    orders = paths["/api/v1/inventory/replenishment/create-orders/"]["post"]
    assert "201" in orders["responses"] and "requestBody" in orders
    assert "post" in paths["/api/v1/inventory/replenishment/request-transfer/"]
