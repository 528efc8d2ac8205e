"""Inventory services: costing, the ledger, purchase orders, returns, transfers, counts."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import (
    MovementKind,
    PurchaseOrder,
    StockCount,
    StockLevel,
    StockMovement,
    Transfer,
)
from inventory.services import (
    MovementSpec,
    product_create,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_submit,
    stock_count_approve,
    stock_count_create,
    stock_count_line_set,
    stock_count_post,
    stock_count_submit,
    stock_levels_check,
    stock_movement_post,
    stock_movements_post,
    supplier_return_post,
    transfer_approve,
    transfer_receive,
    transfer_request,
    transfer_ship,
)
from stores.access import OutOfScope

from . import factories as f

D = Decimal
K = MovementKind


def level(store, product) -> StockLevel:
    return StockLevel.objects.get(store=store, product=product)


def post(user, store, product, kind, qty, cost=None):
    return stock_movement_post(
        user=user,
        store=store,
        product=product,
        kind=kind,
        quantity=D(qty),
        unit_cost=None if cost is None else D(cost),
    )


# --- Costing: moving weighted average, worked by hand --------------------------------


def test_weighted_average_cost_by_hand(demo):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product(cost="4")
    post(head, store, product, K.RECEIPT, "10", "5.00")
    assert (level(store, product).on_hand, level(store, product).avg_cost) == (D("10"), D("5"))
    post(head, store, product, K.RECEIPT, "30", "7.00")  # (10×5 + 30×7) / 40 = 6.5
    assert level(store, product).avg_cost == D("6.5")
    sale = post(head, store, product, K.SALE, "-20")  # a sale takes the current average
    assert sale.unit_cost == D("6.5") and level(store, product).avg_cost == D("6.5")
    post(head, store, product, K.RECEIPT, "10", "8")  # (20×6.5 + 10×8) / 30 = 7
    assert level(store, product).avg_cost == D("7")
    post(head, store, product, K.TRANSFER_IN, "10", "10")  # (30×7 + 10×10) / 40 = 7.75
    lv = level(store, product)
    assert (lv.on_hand, lv.avg_cost) == (D("40"), D("7.75"))
    writeoff = post(head, store, product, K.WRITE_OFF_DAMAGED, "-1")
    assert writeoff.unit_cost == D("7.75") and writeoff.on_hand_after == D("39")


def test_average_rounds_to_four_places_and_restarts_after_negative_stock(demo):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product(cost="4")
    post(head, store, product, K.RECEIPT, "1", "1")
    post(head, store, product, K.RECEIPT, "2", "2")  # 5 / 3 = 1.66666… → 1.6667
    assert level(store, product).avg_cost == D("1.6667")
    post(head, store, product, K.SALE, "-5")  # on hand -2, average kept
    assert level(store, product).on_hand == D("-2")
    post(head, store, product, K.RECEIPT, "10", "6")  # from ≤ 0 the receipt's cost wins
    assert (level(store, product).on_hand, level(store, product).avg_cost) == (D("8"), D("6"))


def test_first_outbound_of_a_never_costed_product_uses_the_standard_cost(demo):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product(cost="4.5")
    sale = post(head, store, product, K.SALE, "-1")
    assert sale.unit_cost == D("4.5") and sale.on_hand_after == D("-1")


@pytest.mark.parametrize(
    ("kind", "qty", "cost", "field"),
    [
        (K.SALE, "5", None, "quantity"),
        (K.RECEIPT, "-5", "1", "quantity"),
        (K.RECEIPT, "5", None, "unit_cost"),
        (K.COUNT_ADJUSTMENT, "0", None, "quantity"),
        (K.RECEIPT, "1.0001", "1", "quantity"),
        (K.RECEIPT, "1", "-1", "unit_cost"),
        ("gift", "1", "1", "kind"),
    ],
)
def test_bad_movements_are_refused_and_write_nothing(demo, kind, qty, cost, field):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product()
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as error:
        post(head, store, product, kind, qty, cost)
    assert field in error.value.message_dict
    assert StockMovement.objects.count() == before
    assert not StockLevel.objects.filter(product=product).exists()


def test_posting_outside_scope_is_404(demo):
    with pytest.raises(OutOfScope):
        post(demo.user("manager"), f.store("GZ002"), f.product(), K.RECEIPT, "1", "1")


def test_bulk_post_is_all_or_nothing(demo):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product()
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError):
        stock_movements_post(
            user=head,
            movements=[
                MovementSpec(store.pk, product.pk, K.RECEIPT, D("5"), D("1")),
                MovementSpec(store.pk, product.pk, K.SALE, D("5")),  # wrong sign
            ],
        )
    assert StockMovement.objects.count() == before


def test_movements_are_append_only(demo):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product()
    movement = post(head, store, product, K.RECEIPT, "1", "1")
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=2)
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).delete()


def test_business_date_is_the_store_local_date(demo):
    import datetime

    head, product = demo.user("headoffice"), f.product()
    at = datetime.datetime(2025, 3, 1, 17, 30, tzinfo=datetime.UTC)  # 01:30 on 2 March in Shanghai
    movement = stock_movement_post(
        user=head,
        store=f.store("SH001"),
        product=product,
        kind=K.RECEIPT,
        quantity=D("1"),
        unit_cost=D("1"),
        at=at,
    )
    assert movement.business_date == datetime.date(2025, 3, 2)


# --- check_stock and the ledger invariant ----------------------------------------------


def test_demo_ledger_agrees_with_levels_and_check_stock(demo, capsys):
    from django.core.management import call_command

    call_command("check_stock")
    assert "agree" in capsys.readouterr().out
    lv = StockLevel.objects.filter(store__code="SH001").order_by("pk").first()
    StockLevel.objects.filter(pk=lv.pk).update(on_hand=lv.on_hand + 7)
    with pytest.raises(SystemExit) as exit_:
        call_command("check_stock", store=["SH001"])
    assert exit_.value.code == 1
    call_command("check_stock", fix=True)
    lv.refresh_from_db()
    assert stock_levels_check() == []


MOVES = st.lists(
    st.tuples(
        st.sampled_from(list(MovementKind.values)),
        st.integers(min_value=1, max_value=50),
        st.integers(min_value=0, max_value=2000),  # cents
        st.booleans(),  # which of two products
        st.booleans(),  # count adjustment sign
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(moves=MOVES)
def test_any_sequence_of_movements_leaves_levels_equal_to_the_rebuild(demo, moves):
    # Each example adds its own products to the same seeded chain.
    head, store = demo.user("headoffice"), f.store("SH004")
    products = [f.product(cost="3"), f.product(cost="0")]
    specs, expected = [], {p.pk: D("0") for p in products}
    for kind, qty, cents, second, up in moves:
        product = products[second]
        sign = 1 if kind in {K.RECEIPT, K.CUSTOMER_RETURN, K.TRANSFER_IN} else -1
        if kind == K.COUNT_ADJUSTMENT:
            sign = 1 if up else -1
        specs.append(MovementSpec(store.pk, product.pk, kind, D(sign * qty), D(cents) / 100))
        expected[product.pk] += sign * qty
    # Half posted one by one, half in one bulk call.
    half = len(specs) // 2
    for spec in specs[:half]:
        stock_movements_post(user=head, movements=[spec])
    stock_movements_post(user=head, movements=specs[half:])
    assert stock_levels_check(store_ids=[store.pk]) == []
    for product in products:
        moved = any(spec.product_id == product.pk for spec in specs)
        found = StockLevel.objects.filter(store=store, product=product).first()
        assert (found.on_hand if moved else found) == (expected[product.pk] if moved else None)


# --- The set-based path (stock_movements_post_bulk) equals stock_movements_post ----------

AVERAGE_KINDS = [k for k in MovementKind.values if k not in (K.RECEIPT, K.TRANSFER_IN)]
BULK_MOVES = st.lists(
    st.tuples(
        st.sampled_from(AVERAGE_KINDS),
        st.integers(min_value=1, max_value=5000),  # thousandths
        st.integers(min_value=0, max_value=2),  # which of three products
        st.booleans(),  # count adjustment sign
        st.one_of(st.none(), st.integers(min_value=0, max_value=900)),  # a sale's POS cost
    ),
    min_size=1,
    max_size=30,
)
# Each product's state before: nothing, stock at a cost, or negative stock at no cost.
OPENINGS = st.lists(st.sampled_from(["none", "stocked", "negative"]), min_size=3, max_size=3)


def _by_product(row):
    return row[0]


def _ledger_rows(store, products):
    movements = list(
        StockMovement.objects.filter(store=store, product__in=products)
        .order_by("id")
        .values_list(
            "product_id",
            "kind",
            "quantity",
            "unit_cost",
            "on_hand_after",
            "avg_cost_after",
            "reference",
            "reason",
            "created_by_id",
            "created_at",
            "business_date",
        )
    )
    levels = list(
        StockLevel.objects.filter(store=store, product__in=products)
        .order_by("product_id")
        .values_list("product_id", "on_hand", "avg_cost", "updated_at")
    )
    return movements, levels


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(moves=BULK_MOVES, openings=OPENINGS)
def test_bulk_post_gives_the_movements_and_levels_of_stock_movements_post(demo, moves, openings):
    import datetime

    from inventory.services.ledger import stock_movements_post_bulk

    if connection.vendor != "postgresql":
        pytest.skip("the set-based path is PostgreSQL's")
    head, store = demo.user("headoffice"), f.store("SH004")
    at = datetime.datetime(2025, 3, 1, 4, 30, tzinfo=datetime.UTC)
    results = []
    for bulk in (False, True):
        # The same products twice (costs 3, 0 and 1.2345): once per path.
        products = [f.product(cost="3"), f.product(cost="0"), f.product(cost="1.2345")]
        opening_specs = []
        for product, opening in zip(products, openings, strict=True):
            if opening == "stocked":
                opening_specs.append(MovementSpec(store.pk, product.pk, K.RECEIPT, D(4), D("2.5")))
            elif opening == "negative":
                opening_specs.append(MovementSpec(store.pk, product.pk, K.WRITE_OFF_DAMAGED, D(-2)))
        stock_movements_post(user=head, movements=opening_specs, at=at)
        specs = []
        for kind, thousandths, which, up, cents in moves:
            sign = 1 if kind == K.CUSTOMER_RETURN or (kind == K.COUNT_ADJUSTMENT and up) else -1
            cost = None if cents is None else D(cents) / 100
            specs.append(
                MovementSpec(
                    store.pk,
                    products[which].pk,
                    kind,
                    D(sign * thousandths) / 1000,
                    cost,
                    reference=f"ref\t{which}\\",
                    reason="why\nnot" if up else "",
                )
            )
        if bulk:
            assert stock_movements_post_bulk(user=head, movements=specs, at=at) == len(specs)
        else:
            stock_movements_post(user=head, movements=specs, at=at)
        movements, levels = _ledger_rows(store, products)
        ids = {p.pk: i for i, p in enumerate(products)}
        # Ids follow the order of application per store and product (the bulk path
        # inserts each product's movements together).
        results.append(
            (
                # a stable sort of the id-ordered rows: each product's rows in id order
                sorted(((ids[m[0]], *m[1:]) for m in movements), key=_by_product),
                [(ids[lv[0]], *lv[1:]) for lv in levels],
            )
        )
    assert results[0] == results[1]
    assert stock_levels_check(store_ids=[store.pk]) == []


def test_bulk_post_checks_like_stock_movements_post(demo):
    from inventory.services.ledger import stock_movements_post_bulk

    manager, head, product = demo.user("manager"), demo.user("headoffice"), f.product()
    before = StockMovement.objects.count()
    with pytest.raises(OutOfScope):
        stock_movements_post_bulk(
            user=manager,
            movements=[MovementSpec(f.store("GZ002").pk, product.pk, K.SALE, D("-1"))],
        )
    with pytest.raises(ValidationError) as error:
        stock_movements_post_bulk(
            user=head,
            movements=[
                MovementSpec(f.store("SH001").pk, product.pk, K.SALE, D("-1")),
                MovementSpec(f.store("SH001").pk, product.pk, K.SALE, D("1")),  # wrong sign
            ],
        )
    assert "quantity" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        stock_movements_post_bulk(
            user=head, movements=[MovementSpec(f.store("SH001").pk, 10**9, K.SALE, D("-1"))]
        )
    assert "product" in error.value.message_dict
    assert StockMovement.objects.count() == before
    assert stock_movements_post_bulk(user=head, movements=[]) == 0


def test_bulk_post_of_receipts_goes_through_stock_movements_post(demo):
    from inventory.services.ledger import stock_movements_post_bulk

    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product(cost="1")
    specs = [
        MovementSpec(store.pk, product.pk, K.RECEIPT, D("2"), D("4")),
        MovementSpec(store.pk, product.pk, K.SALE, D("-1")),
    ]
    assert stock_movements_post_bulk(user=head, movements=specs) == 2
    assert (level(store, product).on_hand, level(store, product).avg_cost) == (D("1"), D("4"))
    sale = StockMovement.objects.filter(product=product).order_by("-id").first()
    assert (sale.kind, sale.unit_cost, sale.on_hand_after) == (K.SALE, D("4"), D("1"))


def test_bulk_post_runs_a_constant_number_of_queries(demo, django_assert_max_num_queries):
    from inventory.services.ledger import stock_movements_post_bulk

    if connection.vendor != "postgresql":
        pytest.skip("the set-based path is PostgreSQL's")
    head, store = demo.user("headoffice"), f.store("SH001")
    products = [f.product() for _ in range(30)]
    for count in (1, 30):
        specs = [MovementSpec(store.pk, p.pk, K.SALE, D("-1")) for p in products[:count]] * 3
        with django_assert_max_num_queries(12):
            assert stock_movements_post_bulk(user=head, movements=specs) == 3 * count
    assert stock_levels_check(store_ids=[store.pk]) == []


# --- 20 concurrent movements on one store and product ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_movements_lose_no_update():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from django.contrib.auth import get_user_model

    from stores.models import Region, Store

    region = Region.objects.create(code="R", name="R")
    store = Store.objects.create(code="S1", name="S1", region=region, time_zone="Asia/Shanghai")
    head = get_user_model().objects.create_user("ho", password="x", role="head_office")
    product = f.product(cost="2", category_=f.category("conc"))
    post(head, store, product, K.RECEIPT, "100", "2")
    quantities = [
        D(q) for q in (5, -3, 7, -1, 2, -4, 6, -2, 1, -5, 3, -6, 4, -7, 8, -8, 9, -9, 10, 1)
    ]
    barrier = threading.Barrier(len(quantities))
    errors = []

    def worker(qty):
        try:
            barrier.wait()
            kind = K.RECEIPT if qty > 0 else K.SALE
            stock_movement_post(
                user=head,
                store=store,
                product=product,
                kind=kind,
                quantity=qty,
                unit_cost=D("3") if qty > 0 else None,
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(q,)) for q in quantities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert level(store, product).on_hand == D("100") + sum(quantities)
    assert StockMovement.objects.filter(product=product).count() == 21
    assert stock_levels_check(store_ids=[store.pk]) == []
    # on_hand_after runs in id order without a gap: every update was applied in turn.
    running = D("0")
    for movement in StockMovement.objects.filter(product=product).order_by("id"):
        running += movement.quantity
        assert movement.on_hand_after == running


# --- Catalogue writes -----------------------------------------------------------------


def test_catalogue_is_written_by_head_office_only(demo):
    cat = f.category("tst")
    with pytest.raises(PermissionDenied):
        product_create(user=demo.user("manager"), sku="X1", name="X", category=cat)
    product = product_create(
        user=demo.user("headoffice"), sku="X1", name="X", category=cat, barcode=""
    )
    assert product.barcode is None  # blank barcodes are NULL: unique only when present
    with pytest.raises(ValidationError):
        product_create(user=demo.user("headoffice"), sku="X1", name="Y", category=cat)


# --- Purchase orders ------------------------------------------------------------------


@pytest.fixture
def order(demo):
    supplier = f.supplier()
    a, b = f.product(sku="POA"), f.product(sku="POB", barcode="6900000000017")
    f.terms(a, supplier, unit_cost="2.5")
    order = purchase_order_create(
        user=demo.user("manager"),
        store=f.store("SH001"),
        supplier=supplier,
        lines=[
            {"product": "POA", "quantity": "10"},
            {"product": b.pk, "quantity": 4, "unit_cost": "3"},
        ],
    )
    return order


def test_order_lines_take_the_supplier_terms(order):
    costs = {line.product.sku: line.unit_cost for line in order.lines.all()}
    assert costs == {"POA": D("2.5"), "POB": D("3")}
    assert order.status == PurchaseOrder.Status.DRAFT


def test_receive_partially_then_fully(demo, order):
    manager = demo.user("manager")
    purchase_order_submit(user=manager, purchase_order=order)
    order.refresh_from_db()
    assert order.status == "submitted" and order.submitted_at is not None
    line_a = order.lines.get(product__sku="POA")
    purchase_order_receive(
        user=manager, purchase_order=order, lines=[{"line": line_a.pk, "quantity": "4"}]
    )
    order.refresh_from_db()
    assert order.status == "partially_received" and order.received_at is None
    assert level(order.store, line_a.product).on_hand == D("4")
    # The rest, by SKU and by barcode (scanner input).
    purchase_order_receive(
        user=manager,
        purchase_order=order,
        lines=[{"product": "POA", "quantity": "6"}, {"product": "6900000000017", "quantity": "4"}],
    )
    order.refresh_from_db()
    assert order.status == "received" and order.received_at >= order.submitted_at
    receipts = StockMovement.objects.filter(reference=order.number, kind=K.RECEIPT)
    assert sorted(m.quantity for m in receipts) == [D("4"), D("4"), D("6")]
    assert {m.unit_cost for m in receipts if m.product.sku == "POA"} == {D("2.5")}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"product": "POA", "quantity": "11"}], "outstanding"),
        ([{"product": "POA", "quantity": "0"}], "greater than zero"),
        ([{"product": "POA", "quantity": "-1"}], "greater than zero"),
        ([{"product": "POA", "quantity": "abc"}], "number"),
        ([{"product": "NOPE", "quantity": "1"}], "Unknown product"),
        ([{"line": 10**9, "quantity": "1"}], "not on the order"),
        ([{"product": "POA", "quantity": "1"}, {"product": "POA", "quantity": "1"}], "twice"),
        # one good line and one bad: nothing at all is received
        ([{"product": "POB", "quantity": "1"}, {"product": "POA", "quantity": "99"}], "Line 2"),
    ],
)
def test_bad_receipts_are_refused_and_write_nothing(demo, order, entries, message):
    manager = demo.user("manager")
    other = f.product(sku="OTHER")
    purchase_order_submit(user=manager, purchase_order=order)
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as error:
        purchase_order_receive(user=manager, purchase_order=order, lines=entries)
    assert message in " ".join(error.value.message_dict["lines"])
    assert StockMovement.objects.count() == before
    assert sum(line.quantity_received for line in order.lines.all()) == 0
    order.refresh_from_db()
    assert order.status == "submitted"
    with pytest.raises(ValidationError, match="not on the order"):
        purchase_order_receive(
            user=manager, purchase_order=order, lines=[{"product": other.sku, "quantity": 1}]
        )


def test_draft_and_cancelled_orders_cannot_be_received(demo, order):
    manager = demo.user("manager")
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as error:
        purchase_order_receive(
            user=manager, purchase_order=order, lines=[{"product": "POA", "quantity": 1}]
        )
    assert "status" in error.value.message_dict
    purchase_order_cancel(user=manager, purchase_order=order)
    with pytest.raises(ValidationError):
        purchase_order_receive(
            user=manager, purchase_order=order, lines=[{"product": "POA", "quantity": 1}]
        )
    assert StockMovement.objects.count() == before


def test_orders_check_role_scope_and_minimum(demo, order):
    with pytest.raises(PermissionDenied):
        purchase_order_submit(user=demo.user("staff"), purchase_order=order)
    with pytest.raises(OutOfScope):
        purchase_order_submit(user=demo.user("manager-GZ002"), purchase_order=order)
    order.supplier.min_order_value = D("1000")
    order.supplier.save()
    with pytest.raises(ValidationError, match="at least"):
        purchase_order_submit(user=demo.user("manager"), purchase_order=order)


def test_return_to_supplier(demo):
    manager, store, product = demo.user("manager"), f.store("SH001"), f.product(sku="RET")
    supplier = f.supplier()
    post(manager, store, product, K.RECEIPT, "5", "2")
    with pytest.raises(ValidationError, match="why"):
        supplier_return_post(
            user=manager,
            store=store,
            supplier=supplier,
            lines=[{"product": "RET", "quantity": 1}],
            reason=" ",
        )
    with pytest.raises(ValidationError, match="on hand"):
        supplier_return_post(
            user=manager,
            store=store,
            supplier=supplier,
            lines=[{"product": "RET", "quantity": 6}],
            reason="damaged",
        )
    (movement,) = supplier_return_post(
        user=manager,
        store=store,
        supplier=supplier,
        lines=[{"product": "RET", "quantity": 2}],
        reason="damaged",
    )
    assert (movement.kind, movement.quantity, movement.unit_cost) == (
        K.RETURN_TO_SUPPLIER,
        D("-2"),
        D("2"),
    )
    assert level(store, product).on_hand == D("3")


# --- Transfers ------------------------------------------------------------------------


def test_transfer_workflow_with_a_difference(demo):
    manager, regional = demo.user("manager"), demo.user("regional")
    source, destination = f.store("SH004"), f.store("SH001")
    product = f.product(sku="TRF")
    post(demo.user("headoffice"), source, product, K.RECEIPT, "20", "3")
    transfer = transfer_request(
        user=manager,
        source_store=source,
        destination_store=destination,
        lines=[{"product": "TRF", "quantity": "8"}],
    )
    assert transfer.status == "requested"
    with pytest.raises(PermissionDenied):
        transfer_approve(user=manager, transfer=transfer)
    with pytest.raises(OutOfScope):
        transfer_approve(user=demo.user("regional-SC"), transfer=transfer)
    transfer_approve(user=regional, transfer=transfer)
    with pytest.raises(OutOfScope):  # shipping is the source store's business
        transfer_ship(user=manager, transfer=transfer)
    transfer_ship(user=demo.user("manager-SH004"), transfer=transfer)
    line = transfer.lines.get()
    assert (line.quantity_shipped, line.unit_cost) == (D("8"), D("3"))
    assert level(source, product).on_hand == D("12")
    transfer_receive(user=manager, transfer=transfer, quantities={line.pk: "7"})
    transfer.refresh_from_db()
    line.refresh_from_db()
    assert transfer.status == "received" and line.difference == D("-1")
    assert (level(destination, product).on_hand, level(destination, product).avg_cost) == (
        D("7"),
        D("3"),
    )
    kinds = set(
        StockMovement.objects.filter(reference=transfer.number).values_list("kind", flat=True)
    )
    assert kinds == {K.TRANSFER_OUT, K.TRANSFER_IN}


def test_transfer_refusals(demo):
    manager = demo.user("manager")
    sh1, sh4, gz2, gz5 = (f.store(c) for c in ("SH001", "SH004", "GZ002", "GZ005"))
    product = f.product(sku="TRX")
    lines = [{"product": "TRX", "quantity": 1}]
    before = Transfer.objects.count()
    with pytest.raises(ValidationError, match="same"):
        transfer_request(user=manager, source_store=sh1, destination_store=sh1, lines=lines)
    with pytest.raises(OutOfScope):  # neither store is the manager's
        transfer_request(user=manager, source_store=gz2, destination_store=gz5, lines=lines)
    with pytest.raises(OutOfScope):  # the other store is outside the manager's region
        transfer_request(user=manager, source_store=gz2, destination_store=sh1, lines=lines)
    with pytest.raises(PermissionDenied):
        transfer_request(
            user=demo.user("staff"), source_store=sh4, destination_store=sh1, lines=lines
        )
    with pytest.raises(ValidationError, match="Line 1"):
        transfer_request(
            user=manager,
            source_store=sh4,
            destination_store=sh1,
            lines=[{"product": "TRX", "quantity": "0"}],
        )
    assert Transfer.objects.count() == before
    transfer = transfer_request(user=manager, source_store=sh4, destination_store=sh1, lines=lines)
    transfer_approve(user=demo.user("headoffice"), transfer=transfer)
    transfer_ship(user=demo.user("headoffice"), transfer=transfer)
    line = transfer.lines.get()
    with pytest.raises(ValidationError, match="At most"):
        transfer_receive(user=manager, transfer=transfer, quantities={line.pk: "2"})
    assert product.pk  # the refused receipt wrote nothing
    assert not StockMovement.objects.filter(reference=transfer.number, kind=K.TRANSFER_IN).exists()


# --- Stock counts ---------------------------------------------------------------------


@pytest.fixture
def counted(demo):
    """A blind count of a fresh category in SH001 with two products on hand."""
    head, store, cat = demo.user("headoffice"), f.store("SH001"), f.category("cnt")
    a = f.product(sku="CA", category_=cat)
    b = f.product(sku="CB", category_=cat)
    post(head, store, a, K.RECEIPT, "50", "2")
    post(head, store, b, K.RECEIPT, "10", "100")
    count = stock_count_create(user=demo.user("manager"), store=store, category=cat)
    return count, {line.product.sku: line for line in count.lines.select_related("product")}


def test_count_blind_recount_approve_post(demo, counted):
    count, lines = counted
    staff, manager = demo.user("staff"), demo.user("manager")
    assert count.blind and count.expected_hidden
    assert (lines["CA"].expected_quantity, lines["CB"].expected_quantity) == (D("50"), D("10"))
    stock_count_line_set(user=staff, line=lines["CA"], quantity="49")  # within threshold
    with pytest.raises(ValidationError, match="not counted"):
        stock_count_submit(user=staff, count=count)
    stock_count_line_set(user=staff, line=lines["CB"], quantity="4")  # off by 6 > 2: recount
    count = stock_count_submit(user=staff, count=count)
    assert count.status == StockCount.Status.RECOUNT and count.expected_hidden
    lines["CB"].refresh_from_db()
    assert lines["CB"].recount_required and lines["CB"].first_count == D("4")
    with pytest.raises(ValidationError, match="recount"):
        stock_count_line_set(user=staff, line=lines["CA"], quantity="50")
    stock_count_line_set(user=staff, line=lines["CB"], quantity="9")
    count = stock_count_submit(user=staff, count=count)
    assert count.status == "submitted" and not count.expected_hidden
    with pytest.raises(PermissionDenied):
        stock_count_approve(user=staff, count=count)
    stock_count_approve(user=manager, count=count)  # |−1×2| + |−1×100| = 102 < 1000
    before = StockMovement.objects.count()
    stock_count_post(user=manager, count=count)
    adjustments = StockMovement.objects.filter(reference=count.number).order_by("product__sku")
    assert [(m.product.sku, m.quantity) for m in adjustments] == [("CA", D("-1")), ("CB", D("-1"))]
    assert StockMovement.objects.count() == before + 2
    store = count.store
    assert level(store, lines["CA"].product).on_hand == D("49")
    assert level(store, lines["CA"].product).last_counted_at is not None
    with pytest.raises(ValidationError, match="already been posted"):
        stock_count_post(user=manager, count=count)
    assert StockMovement.objects.count() == before + 2


def test_big_count_variance_needs_regional_ops(demo, counted):
    count, lines = counted
    manager = demo.user("manager")
    stock_count_line_set(user=manager, line=lines["CA"], quantity="50")
    stock_count_line_set(user=manager, line=lines["CB"], quantity="0")  # −10 × 100 = 1000
    count = stock_count_submit(user=manager, count=count)
    stock_count_line_set(user=manager, line=lines["CB"], quantity="0")  # recount confirms
    count = stock_count_submit(user=manager, count=count)
    with pytest.raises(PermissionDenied, match="regional"):
        stock_count_approve(user=manager, count=count)
    stock_count_approve(user=demo.user("regional"), count=count)
    stock_count_post(user=demo.user("regional"), count=count)
    assert level(count.store, lines["CB"].product).on_hand == D("0")


def test_count_refusals(demo, counted):
    count, lines = counted
    with pytest.raises(ValidationError, match="unfinished"):
        stock_count_create(user=demo.user("manager"), store=count.store, category=count.category)
    with pytest.raises(ValidationError):
        stock_count_line_set(user=demo.user("staff"), line=lines["CA"], quantity="-1")
    with pytest.raises(OutOfScope):
        stock_count_line_set(user=demo.user("manager-GZ002"), line=lines["CA"], quantity="1")
    with pytest.raises(ValidationError, match="approved"):
        stock_count_post(user=demo.user("manager"), count=count)
