"""The write-off page, the new purchase order and transfer pages (htmx line rows)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import PurchaseOrder, StockLevel, StockMovement, Transfer
from inventory.services import stock_movement_post, stock_write_off_post
from stores.access import OutOfScope
from stores.models import Store

from . import factories as f


@pytest.fixture
def stocked(demo):
    """A product with 10 on hand at SH001 (the manager's store)."""
    product = f.product(sku="WO1", barcode="6901234500011", cost="2")
    stock_movement_post(
        user=demo.user("headoffice"),
        store=f.store("SH001"),
        product=product,
        kind="receipt",
        quantity=Decimal("10"),
        unit_cost=Decimal("2.5"),
    )
    return product


def _on_hand(product, code="SH001"):
    return StockLevel.objects.get(store__code=code, product=product).on_hand


def _other_region_store(demo):
    own = f.store("SH001")
    return next(s for s in demo.stores if s.region_id != own.region_id)


# --- Write-off service --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("damaged", "write_off_damaged"),
        ("expired", "write_off_expired"),
        ("theft", "write_off_damaged"),
        ("other", "write_off_damaged"),
    ],
)
def test_write_off_posts_a_movement(demo, stocked, reason, kind):
    movement = stock_write_off_post(
        user=demo.user("manager"),
        store=f.store("SH001"),
        product=stocked,
        quantity="3",
        reason=reason,
        note="shelf fell",
    )
    assert movement.kind == kind and movement.quantity == Decimal("-3")
    assert movement.unit_cost == Decimal("2.5")  # valued at the average cost
    assert movement.reason.endswith(": shelf fell")
    assert movement.reason.lower().startswith(reason)
    assert _on_hand(stocked) == Decimal("7")


@pytest.mark.parametrize(
    ("quantity", "reason", "note", "field", "message"),
    [
        ("0", "damaged", "", "quantity", "greater than zero"),
        ("-1", "damaged", "", "quantity", "greater than zero"),
        ("abc", "damaged", "", "quantity", "Enter a number"),
        ("10.5", "damaged", "", "quantity", "Only 10 of WO1 on hand at SH001"),
        ("1", "lost", "", "reason", "Choose damaged"),
        ("1", "other", "  ", "note", "Say what happened"),
    ],
)
def test_a_bad_write_off_is_refused_and_writes_nothing(
    demo, stocked, quantity, reason, note, field, message
):
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as refused:
        stock_write_off_post(
            user=demo.user("manager"),
            store=f.store("SH001"),
            product=stocked,
            quantity=quantity,
            reason=reason,
            note=note,
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert StockMovement.objects.count() == before
    assert _on_hand(stocked) == Decimal("10")


def test_write_off_of_a_product_never_stocked_is_refused(demo):
    product = f.product(sku="WO2")
    with pytest.raises(ValidationError):
        stock_write_off_post(
            user=demo.user("manager"),
            store=f.store("SH001"),
            product=product,
            quantity="1",
            reason="damaged",
        )
    assert not StockLevel.objects.filter(product=product).exists()  # rolled back


def test_write_off_scope_and_role(demo, stocked):
    other = _other_region_store(demo)
    with pytest.raises(OutOfScope):
        stock_write_off_post(
            user=demo.user("manager"), store=other, product=stocked, quantity="1", reason="damaged"
        )
    with pytest.raises(PermissionDenied):
        stock_write_off_post(
            user=demo.user("staff"),
            store=f.store("SH001"),
            product=stocked,
            quantity="1",
            reason="damaged",
        )
    assert _on_hand(stocked) == Decimal("10")


# --- Write-off page -------------------------------------------------------------------------


def test_write_off_page_good_and_bad(demo, stocked, client):
    client.force_login(demo.user("manager"))
    url = reverse("inventory:writeoff_create")
    page = client.get(url)
    assert page.status_code == 200
    stores = list(page.context["form"].fields["store"].queryset)
    assert [s.code for s in stores] == ["SH001"]
    data = {"store": stores[0].pk, "product": "6901234500011", "quantity": "4", "reason": "expired"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert _on_hand(stocked) == Decimal("6")
    page = client.get(response["Location"])
    assert "4 × WO1 written off at SH001: 6 left on hand." in page.content.decode()
    assert "WO1" in page.content.decode()  # the latest write-offs list

    for bad, field in [
        ({**data, "quantity": "7"}, "quantity"),
        ({**data, "quantity": "-1"}, "quantity"),
        ({**data, "product": "NOPE"}, "product"),
        ({**data, "reason": "lost"}, "reason"),
        ({**data, "reason": "other", "note": ""}, "note"),
        ({**data, "store": _other_region_store(demo).pk}, "store"),
    ]:
        response = client.post(url, bad)
        assert response.status_code == 400, bad
        assert response.context["form"].errors[field], bad
    assert _on_hand(stocked) == Decimal("6")


def test_product_page_links_to_a_prefilled_write_off(demo, stocked, client):
    client.force_login(demo.user("manager"))
    page = client.get(reverse("inventory:product_detail", args=[stocked.pk])).content.decode()
    link = f"{reverse('inventory:writeoff_create')}?product=WO1"
    assert link in page
    form = client.get(link).context["form"]
    assert form["product"].value() == "WO1"
    client.force_login(demo.user("staff"))
    page = client.get(reverse("inventory:product_detail", args=[stocked.pk])).content.decode()
    assert 'data-testid="product-writeoff"' not in page


def test_write_off_page_query_count_is_constant(demo, stocked, client):
    manager = demo.user("manager")
    client.force_login(manager)
    url = reverse("inventory:writeoff_create")
    stock_write_off_post(
        user=manager, store=f.store("SH001"), product=stocked, quantity="1", reason="damaged"
    )
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["recent"]) == 1
    for _ in range(4):
        stock_write_off_post(
            user=manager, store=f.store("SH001"), product=stocked, quantity="1", reason="theft"
        )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["recent"]) == 5
    assert len(one.captured_queries) == len(many.captured_queries)


# --- New purchase order -----------------------------------------------------------------------


@pytest.fixture
def order_refs(demo):
    supplier = f.supplier()
    milk, tea = f.product(sku="PO1", cost="4"), f.product(sku="PO2", barcode="6901234500028")
    f.terms(milk, supplier, unit_cost="3.5")
    return supplier, milk, tea


def _po_data(store, supplier, products, quantities, **extra):
    return {
        "store": store.pk,
        "supplier": supplier.pk,
        "line-product": products,
        "line-quantity": quantities,
        **extra,
    }


def test_create_a_purchase_order_with_two_lines(demo, order_refs, client):
    supplier, _milk, _tea = order_refs
    client.force_login(demo.user("manager"))
    url = reverse("inventory:purchaseorder_create")
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["lines"]) == 2
    data = _po_data(
        f.store("SH001"), supplier, ["PO1", "6901234500028", ""], ["12", "3.5", ""], note="weekly"
    )
    response = client.post(url, data)
    order = PurchaseOrder.objects.get(supplier=supplier)
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:purchaseorder_detail", args=[order.pk])
    assert order.status == "draft" and order.note == "weekly"
    assert order.created_by == demo.user("manager")
    lines = {line.product.sku: line for line in order.lines.select_related("product")}
    assert lines["PO1"].quantity_ordered == 12 and lines["PO1"].unit_cost == Decimal("3.5")
    assert lines["PO2"].quantity_ordered == Decimal("3.5")


@pytest.mark.parametrize(
    ("products", "quantities", "where", "message"),
    [
        (["PO1", "NOPE"], ["1", "2"], "line", "Unknown product."),
        (["PO1", "PO2"], ["1", "-2"], "line", "greater than zero"),
        (["PO1", "PO2"], ["1", "x"], "line", "Enter a number."),
        (["PO1", ""], ["1", "3"], "line", "Enter a SKU or barcode."),
        (["PO1", "PO1"], ["1", "3"], "top", "on the order twice"),
        ([""], [""], "top", "Enter at least one line."),
    ],
)
def test_a_bad_order_line_creates_nothing(
    demo, order_refs, client, products, quantities, where, message
):
    supplier, *_products = order_refs
    client.force_login(demo.user("manager"))
    data = _po_data(f.store("SH001"), supplier, products, quantities)
    response = client.post(reverse("inventory:purchaseorder_create"), data)
    assert response.status_code == 400
    assert not PurchaseOrder.objects.filter(supplier=supplier).exists()
    if where == "line":
        line_errors = [e for line in response.context["lines"] for e in line["errors"]]
        assert any(message in e for e in line_errors), line_errors
    else:
        assert any(message in e for e in response.context["errors"]), response.context["errors"]
    # The typed lines come back so that nothing has to be typed again.
    typed = [p for p, q in zip(products, quantities, strict=True) if p or q]
    if typed:
        assert [line["product"] for line in response.context["lines"]] == typed


def test_a_bad_order_header_creates_nothing(demo, order_refs, client):
    supplier, *_ = order_refs
    client.force_login(demo.user("manager"))
    url = reverse("inventory:purchaseorder_create")
    other = _other_region_store(demo)
    response = client.post(url, _po_data(other, supplier, ["PO1"], ["1"]))
    assert response.status_code == 400 and response.context["form"].errors["store"]
    supplier.active = False
    supplier.save()
    response = client.post(url, _po_data(f.store("SH001"), supplier, ["PO1"], ["1"]))
    assert response.status_code == 400 and response.context["form"].errors["supplier"]
    assert not PurchaseOrder.objects.filter(supplier=supplier).exists()


def test_line_row_fragment(demo, client):
    client.force_login(demo.user("manager"))
    response = client.get(reverse("inventory:line_row"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="line-product"' in body and 'name="line-quantity"' in body
    assert "data-remove-line" in body and "<html" not in body


# --- Transfer request --------------------------------------------------------------------------


def _region_peer(demo):
    own = f.store("SH001")
    return next(
        s
        for s in demo.stores_of_region(own.region)
        if s.pk != own.pk and s.status == Store.Status.OPEN
    )


def test_request_a_transfer(demo, order_refs, client):
    _supplier, _milk, _tea = order_refs
    client.force_login(demo.user("manager"))
    url = reverse("inventory:transfer_create")
    page = client.get(url)
    assert page.status_code == 200
    choices = {s.code for s in page.context["form"].fields["source_store"].queryset}
    assert "SH001" in choices and _other_region_store(demo).code not in choices
    assert page.context["form"].initial["destination_store"].code == "SH001"
    peer = _region_peer(demo)
    response = client.post(
        url,
        {
            "source_store": peer.pk,
            "destination_store": f.store("SH001").pk,
            "line-product": ["PO1", "PO2"],
            "line-quantity": ["2", "1"],
        },
    )
    transfer = Transfer.objects.get(source_store=peer)
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:transfer_detail", args=[transfer.pk])
    assert transfer.status == "requested" and transfer.lines.count() == 2


def test_a_bad_transfer_request_creates_nothing(demo, order_refs, client):
    client.force_login(demo.user("manager"))
    url = reverse("inventory:transfer_create")
    own, peer = f.store("SH001"), _region_peer(demo)
    others = [s for s in demo.stores_of_region(own.region) if s.pk not in (own.pk, peer.pk)]
    cases = [
        ({"source_store": own.pk, "destination_store": own.pk}, "destination_store"),
        ({"source_store": _other_region_store(demo).pk, "destination_store": own.pk}, "store"),
        ({"source_store": peer.pk, "destination_store": others[0].pk}, "top"),
        ({"source_store": peer.pk, "destination_store": own.pk, "qty": "0"}, "line"),
    ]
    for data, where in cases:
        post = {
            "source_store": data["source_store"],
            "destination_store": data["destination_store"],
            "line-product": ["PO1"],
            "line-quantity": [data.get("qty", "1")],
        }
        response = client.post(url, post)
        assert response.status_code == 400, data
        if where == "top":
            assert "one of your stores" in " ".join(response.context["errors"])
        elif where == "line":
            assert response.context["lines"][0]["errors"]
        elif where == "store":
            assert response.context["form"].errors["source_store"]
        else:
            assert response.context["form"].errors[where]
    assert not Transfer.objects.filter(lines__product__sku="PO1").exists()


# --- Who may use the pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "inventory:writeoff_create",
        "inventory:purchaseorder_create",
        "inventory:transfer_create",
        "inventory:line_row",
    ],
)
def test_pages_by_role(demo, client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for username, expected in [
        ("staff", 403),
        ("manager", 200),
        ("regional", 200),
        ("headoffice", 200),
        ("admin", 200),
    ]:
        client.force_login(demo.user(username))
        assert client.get(url).status_code == expected, username
        if name != "inventory:line_row":
            assert client.post(url, {}).status_code == (400 if expected == 200 else 403)


def test_regional_ops_sees_only_their_region_on_the_forms(demo, client):
    client.force_login(demo.user("regional"))
    own_region = f.store("SH001").region
    for name, field in [
        ("inventory:writeoff_create", "store"),
        ("inventory:purchaseorder_create", "store"),
        ("inventory:transfer_create", "source_store"),
    ]:
        form = client.get(reverse(name)).context["form"]
        assert {s.region_id for s in form.fields[field].queryset} == {own_region.pk}, name


# --- Write-offs at the same time never take stock below zero ----------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_write_offs_never_exceed_on_hand():
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection

    from stores.models import Region

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    region = Region.objects.create(code="R", name="R")
    store = Store.objects.create(code="ZZ1", name="Z", region=region, time_zone="Asia/Shanghai")
    head = get_user_model().objects.create_user("ho", password="x", role="head_office")
    product = f.product(sku="CW1", category_=f.category("cw"))
    stock_movement_post(
        user=head,
        store=store,
        product=product,
        kind="receipt",
        quantity=Decimal("10"),
        unit_cost=Decimal("1"),
    )
    barrier = threading.Barrier(6)
    done, refused, errors = [], [], []

    def worker():
        try:
            barrier.wait()
            stock_write_off_post(
                user=head, store=store, product=product, quantity="3", reason="expired"
            )
            done.append(1)
        except ValidationError:
            refused.append(1)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert (len(done), len(refused)) == (3, 3)
    assert _on_hand(product, "ZZ1") == Decimal("1")
