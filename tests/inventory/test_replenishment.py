"""Replenishment services: velocity rules against hand-computed values, suggestions with
on-order stock and pack rounding, purchase orders per supplier (all or nothing, no
duplicates), transfer proposals within the region, the nightly task on a real worker."""

from __future__ import annotations

import datetime
import math
import threading
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import selectors
from inventory.models import (
    MovementKind,
    ProductSupplier,
    PurchaseOrder,
    ReorderRule,
    ReplenishmentBatch,
    Transfer,
)
from inventory.services import (
    purchase_order_create,
    purchase_order_receive,
    purchase_order_submit,
    reorder_rules_recompute,
    replenishment_orders_create,
    replenishment_transfer_request,
    stock_movement_post,
)
from inventory.services.replenishment import (
    demand_totals,
    round_to_pack,
    rule_values,
    suggestion_lines,
)
from stores.access import OutOfScope
from stores.models import Store

# The real-worker fixture of the integration tests (a worker process on Redis db 15).
from tests.integration.test_celery_worker import worker as real_worker  # noqa: F401

from . import factories as f

D = Decimal
K = MovementKind
MANUAL, VELOCITY = ReorderRule.Method.MANUAL, ReorderRule.Method.VELOCITY
# A fixed "now": 05:00 UTC is 13:00 in Shanghai (business date 10 March) and 19:00 the
# day before in Honolulu (business date 9 March).
NOW = datetime.datetime(2026, 3, 10, 5, 0, tzinfo=datetime.UTC)


def at(store: Store, day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(store.time_zone)
    )


def move(user, store, product, kind, qty, when=None, cost="2"):
    return stock_movement_post(
        user=user,
        store=store,
        product=product,
        kind=kind,
        quantity=D(str(qty)),
        unit_cost=D(cost) if kind == K.RECEIPT else None,
        at=when,
    )


def rule(store, product, point, up_to, method=MANUAL):
    return ReorderRule.objects.update_or_create(
        store=store,
        product=product,
        defaults={"reorder_point": D(point), "order_up_to": D(up_to), "method": method},
    )[0]


def expected_rule(demands: list[int], lead: int, window: int = 28, review: int = 7, z=1.65):
    """The documented formula, computed independently with floats."""
    mean = sum(demands) / window
    variance = max(sum(d * d for d in demands) / window - mean * mean, 0)
    sigma = math.sqrt(variance)
    safety = round(z * sigma * math.sqrt(lead), 3)
    point = round(max(mean, 0) * lead + safety, 3)
    up_to = round(max(mean, 0) * (lead + review) + safety, 3)
    return (
        D(str(safety)).quantize(D("0.001")),
        D(str(point)).quantize(D("0.001")),
        D(str(up_to)).quantize(D("0.001")),
    )


# --- velocity, safety stock, reorder point --------------------------------------------


@pytest.fixture
def chain(demo):
    """The demo chain without its rules: each test states the rules it needs."""
    ReorderRule.objects.all().delete()
    return demo


def test_velocity_rule_matches_hand_computed_values(chain):
    head = chain.user("headoffice")
    store = f.store("SH001")
    supplier = f.supplier(lead_time_days=4)
    product = f.product()
    f.terms(product, supplier)
    today = store.business_date(NOW)  # 10 March in Shanghai
    move(head, store, product, K.RECEIPT, 200, at(store, today - datetime.timedelta(days=40)))
    # Daily demand: 10; 6 sold and 2 returned (4); 8; a day with only a return (−1);
    # every other day of the 28 nothing.

    def day(n):
        return today - datetime.timedelta(days=n)

    move(head, store, product, K.SALE, -10, at(store, day(1)))
    move(head, store, product, K.SALE, -6, at(store, day(5)))
    move(head, store, product, K.CUSTOMER_RETURN, 2, at(store, day(5), 18))
    move(head, store, product, K.SALE, -5, at(store, day(9), 10))
    move(head, store, product, K.SALE, -3, at(store, day(9), 16))
    move(head, store, product, K.CUSTOMER_RETURN, 1, at(store, day(28)))
    # Outside the window: today (incomplete) and 29 days ago.
    move(head, store, product, K.SALE, -50, at(store, today))
    move(head, store, product, K.SALE, -40, at(store, day(29)))

    totals = demand_totals([store], now=NOW)
    assert totals[(store.pk, product.pk)] == (D("21"), D("181"))

    counts = reorder_rules_recompute(store_ids=[store.pk], now=NOW)
    found = ReorderRule.objects.get(store=store, product=product)
    safety, point, up_to = expected_rule([10, 4, 8, -1], lead=4)
    assert (found.safety_stock, found.reorder_point, found.order_up_to) == (safety, point, up_to)
    # v = 21/28 = 0.75; σ = √(181/28 − 0.5625) = 2.42936…; safety = 1.65 × σ × √4:
    assert (safety, point, up_to) == (D("8.017"), D("11.017"), D("16.267"))
    assert found.method == VELOCITY
    assert counts["created"] >= 1


def test_rule_values_cases_by_hand():
    # Steady demand of 2 a day: σ = 0, no safety stock; lead 3, review 7.
    values = rule_values(total=D("56"), total_sq=D("112"), lead_time_days=3)
    assert (values.velocity, values.sigma, values.safety_stock) == (D("2"), D("0"), D("0.000"))
    assert (values.reorder_point, values.order_up_to) == (D("6.000"), D("20.000"))
    # Never sold: all zero.
    values = rule_values(total=D("0"), total_sq=D("0"), lead_time_days=5)
    assert (values.reorder_point, values.order_up_to, values.safety_stock) == (0, 0, 0)
    # More returned than sold: velocity is clamped at zero, never a negative point.
    values = rule_values(total=D("-3"), total_sq=D("9"), lead_time_days=2)
    assert values.velocity == 0 and values.reorder_point >= 0
    assert values.order_up_to >= values.reorder_point


def test_store_local_business_dates_decide_the_window(chain):
    head = chain.user("headoffice")
    shanghai = f.store("SH001")
    honolulu = Store.objects.exclude(pk=shanghai.pk).filter(status="open").order_by("pk").first()
    Store.objects.filter(pk=honolulu.pk).update(time_zone="Pacific/Honolulu")
    honolulu.refresh_from_db()
    assert shanghai.business_date(NOW) == datetime.date(2026, 3, 10)
    assert honolulu.business_date(NOW) == datetime.date(2026, 3, 9)
    product = f.product()
    early = datetime.date(2026, 1, 1)
    for store in (shanghai, honolulu):
        move(head, store, product, K.RECEIPT, 100, at(store, early))
    # Shanghai: window 10 Feb – 9 Mar (28 days).
    move(head, shanghai, product, K.SALE, -7, at(shanghai, datetime.date(2026, 3, 9), 23))
    move(head, shanghai, product, K.SALE, -5, at(shanghai, datetime.date(2026, 3, 10), 9))
    move(head, shanghai, product, K.SALE, -3, at(shanghai, datetime.date(2026, 2, 9), 23))
    # Honolulu: window 9 Feb – 8 Mar (its "today" is 9 March).
    move(head, honolulu, product, K.SALE, -4, at(honolulu, datetime.date(2026, 3, 8), 20))
    move(head, honolulu, product, K.SALE, -6, at(honolulu, datetime.date(2026, 3, 9), 10))
    move(head, honolulu, product, K.SALE, -2, at(honolulu, datetime.date(2026, 2, 9), 8))

    totals = demand_totals([shanghai, honolulu], now=NOW)
    assert totals[(shanghai.pk, product.pk)] == (D("7"), D("49"))
    assert totals[(honolulu.pk, product.pk)] == (D("6"), D("20"))


def test_manual_rules_are_untouched_and_never_sold_products_get_zero(chain):
    head = chain.user("headoffice")
    store = f.store("SH001")
    sold, manual, held, unknown = (f.product() for _ in range(4))
    supplier = f.supplier(lead_time_days=2)
    for product in (sold, manual, held):
        f.terms(product, supplier)
    today = store.business_date(NOW)
    for product in (sold, manual, held):
        move(head, store, product, K.RECEIPT, 50, at(store, today - datetime.timedelta(days=30)))
    for product in (sold, manual):
        move(head, store, product, K.SALE, -14, at(store, today - datetime.timedelta(days=2)))
    kept = rule(store, manual, "3", "4", method=MANUAL)

    reorder_rules_recompute(store_ids=[store.pk], now=NOW)

    kept_after = ReorderRule.objects.get(pk=kept.pk)
    assert (kept_after.reorder_point, kept_after.order_up_to, kept_after.method) == (
        D("3"),
        D("4"),
        MANUAL,
    )
    assert kept_after.updated_at == kept.updated_at
    never = ReorderRule.objects.get(store=store, product=held)
    assert (never.reorder_point, never.order_up_to, never.safety_stock, never.method) == (
        0,
        0,
        0,
        VELOCITY,
    )
    # A product the store neither holds nor sells gets no rule.
    assert not ReorderRule.objects.filter(store=store, product=unknown).exists()
    # v = 0.5; σ = √(196/28 − 0.25) = 2.598…; lead 2: safety = 1.65 × σ × √2.
    safety, point, up_to = expected_rule([14], lead=2)
    computed = ReorderRule.objects.get(store=store, product=sold)
    assert (computed.safety_stock, computed.reorder_point, computed.order_up_to) == (
        safety,
        point,
        up_to,
    )


def test_recompute_is_idempotent_and_updates_changed_velocity_rules(chain):
    head = chain.user("headoffice")
    store = f.store("SH001")
    product = f.product()
    f.terms(product, f.supplier(lead_time_days=3))
    today = store.business_date(NOW)
    move(head, store, product, K.RECEIPT, 80, at(store, today - datetime.timedelta(days=20)))
    move(head, store, product, K.SALE, -28, at(store, today - datetime.timedelta(days=3)))
    first = reorder_rules_recompute(store_ids=[store.pk], now=NOW)
    rows = list(ReorderRule.objects.order_by("pk").values())
    assert first["created"] == len(rows) > 0
    again = reorder_rules_recompute(store_ids=[store.pk], now=NOW)
    assert again["created"] == 0 and again["updated"] == 0
    assert list(ReorderRule.objects.order_by("pk").values()) == rows
    before = ReorderRule.objects.get(store=store, product=product)
    # A later sale changes that one velocity rule, in place.
    move(head, store, product, K.SALE, -14, at(store, today - datetime.timedelta(days=1)))
    changed = reorder_rules_recompute(store_ids=[store.pk], now=NOW)
    assert (changed["updated"], changed["created"]) == (1, 0)
    after = ReorderRule.objects.get(store=store, product=product)
    assert after.pk == before.pk and after.reorder_point > before.reorder_point


def test_product_lead_time_overrides_the_suppliers(chain):
    head = chain.user("headoffice")
    store = f.store("SH001")
    product = f.product()
    terms = f.terms(product, f.supplier(lead_time_days=2))
    ProductSupplier.objects.filter(pk=terms.pk).update(lead_time_days=9)
    today = store.business_date(NOW)
    move(head, store, product, K.RECEIPT, 80, at(store, today - datetime.timedelta(days=20)))
    for days in range(1, 29):
        move(head, store, product, K.SALE, -1, at(store, today - datetime.timedelta(days=days)))
    reorder_rules_recompute(store_ids=[store.pk], now=NOW)
    found = ReorderRule.objects.get(store=store, product=product)
    # One a day, σ = 0: reorder point = 1 × 9, order-up-to = 1 × (9 + 7).
    assert (found.reorder_point, found.order_up_to, found.safety_stock) == (D("9"), D("16"), 0)


def test_recompute_queries_do_not_grow_with_stores_and_products(chain):
    head = chain.user("headoffice")
    stores = list(Store.objects.filter(status="open").order_by("pk")[:4])
    today = stores[0].business_date(NOW)

    def make(n_products, its_stores):
        supplier = f.supplier()
        for _ in range(n_products):
            product = f.product()
            f.terms(product, supplier)
            for store in its_stores:
                move(
                    head,
                    store,
                    product,
                    K.RECEIPT,
                    30,
                    at(store, today - datetime.timedelta(days=9)),
                )
                move(
                    head, store, product, K.SALE, -3, at(store, today - datetime.timedelta(days=2))
                )

    def queries(store_ids):
        ReorderRule.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            reorder_rules_recompute(store_ids=store_ids, now=NOW)
        return len(captured)

    make(1, stores[:1])
    one = queries([stores[0].pk])
    make(6, stores)
    many = queries([s.pk for s in stores])
    assert one == many


# --- suggestions ----------------------------------------------------------------------


@dataclass
class Shortage:
    """Store A (the manager's) short of p1, p2, p3; p4 above its point; B in A's region
    with spare p2; C in another region with more spare p2."""

    store: Store
    neighbour: Store
    far: Store
    x: object
    y: object
    p1: object
    p2: object
    p3: object
    p4: object
    on_order_po: PurchaseOrder


def build_shortage(chain) -> Shortage:
    ReorderRule.objects.all().delete()
    head, manager = chain.user("headoffice"), chain.user("manager")
    store = Store.objects.get(assignments__user=manager)
    neighbour = (
        Store.objects.filter(region=store.region, status="open")
        .exclude(pk=store.pk)
        .order_by("pk")
        .first()
    )
    far = Store.objects.exclude(region=store.region).filter(status="open").order_by("pk").first()
    x, y = f.supplier(lead_time_days=2), f.supplier(lead_time_days=3)
    p1, p2, p3, p4 = (f.product(sku=f"RPL{i}", name=f"Replenish {i}") for i in range(1, 5))
    f.terms(p1, x, unit_cost="2", pack_size=6)
    f.terms(p2, x, unit_cost="3")
    t3 = f.terms(p3, y, unit_cost="4")
    ProductSupplier.objects.filter(pk=t3.pk).update(min_order_quantity=D("15"))
    f.terms(p4, x, unit_cost="5")
    for product, qty in ((p1, 4), (p2, 2), (p4, 9)):
        move(head, store, product, K.RECEIPT, qty)
    rule(store, p1, "10", "30")
    rule(store, p2, "5", "12")
    rule(store, p3, "3", "8")
    rule(store, p4, "5", "10")
    # p2: the neighbour holds 40 with an order-up-to of 20; the far store 100 over 10.
    move(head, neighbour, p2, K.RECEIPT, 40)
    rule(neighbour, p2, "5", "20")
    move(head, far, p2, K.RECEIPT, 100)
    rule(far, p2, "5", "10")
    # p1: 5 on order on a draft, plus a received order and a cancelled one that don't count.
    on_order = purchase_order_create(
        user=manager, store=store, supplier=x, lines=[{"product": p1.pk, "quantity": 5}]
    )
    done = purchase_order_create(
        user=manager, store=store, supplier=x, lines=[{"product": p1.pk, "quantity": 7}]
    )
    purchase_order_submit(user=manager, purchase_order=done)
    purchase_order_receive(
        user=manager, purchase_order=done, lines=[{"product": p1.pk, "quantity": 7}]
    )
    move(head, store, p1, K.SALE, -7)  # back to 4 on hand
    cancelled = purchase_order_create(
        user=manager, store=store, supplier=x, lines=[{"product": p1.pk, "quantity": 9}]
    )
    PurchaseOrder.objects.filter(pk=cancelled.pk).update(status="cancelled")
    return Shortage(store, neighbour, far, x, y, p1, p2, p3, p4, on_order)


@pytest.fixture
def shortage(demo):
    return build_shortage(demo)


def lines_of(user, store):
    rules = list(selectors.replenishment_rule_list(user=user).filter(store=store))
    return {line.product.sku: line for line in suggestion_lines(rules)}


def test_suggestions_count_on_order_and_round_to_packs(shortage, demo):
    lines = lines_of(demo.user("manager"), shortage.store)
    assert set(lines) == {"RPL1", "RPL2", "RPL3"}  # p4: 9 on hand > 5
    p1 = lines["RPL1"]
    assert (p1.on_hand, p1.on_order) == (D("4"), D("5"))
    assert p1.need == D("21") and p1.suggested == D("24")  # packs of 6
    assert lines["RPL2"].suggested == D("10")
    assert lines["RPL3"].suggested == D("15")  # need 8, minimum order 15
    assert lines["RPL1"].supplier == shortage.x and lines["RPL3"].supplier == shortage.y


def test_more_on_order_removes_the_suggestion(shortage, demo):
    purchase_order_create(
        user=demo.user("manager"),
        store=shortage.store,
        supplier=shortage.x,
        lines=[{"product": shortage.p1.pk, "quantity": 2}],
    )
    # 4 on hand + 7 on order = 11 > reorder point 10.
    assert "RPL1" not in lines_of(demo.user("manager"), shortage.store)


def test_round_to_pack():
    assert round_to_pack(D("0.2"), pack_size=6, minimum=D("0")) == D("6")
    assert round_to_pack(D("12"), pack_size=6, minimum=D("0")) == D("12")
    assert round_to_pack(D("13"), pack_size=6, minimum=D("20")) == D("24")
    assert round_to_pack(D("2.5"), pack_size=1, minimum=D("0")) == D("3")


def test_transfer_proposals_stay_in_the_region(shortage, demo):
    lines = lines_of(demo.user("manager"), shortage.store)
    proposal = lines["RPL2"].transfer
    assert proposal is not None
    assert proposal.store == shortage.neighbour  # not the far store with more spare
    assert (proposal.excess, proposal.quantity) == (D("20"), D("10"))
    assert lines["RPL1"].transfer is None and lines["RPL3"].transfer is None


def test_suggestions_are_scoped(shortage, demo):
    assert lines_of(demo.user("regional-" + shortage.store.region.code), shortage.store)
    outsider = Store.objects.exclude(region=shortage.store.region).first()
    outsider_ops = demo.user(f"regional-{outsider.region.code}")
    assert not lines_of(outsider_ops, shortage.store)
    assert not lines_of(demo.user(f"manager-{shortage.neighbour.code}"), shortage.store)


# --- creating purchase orders ---------------------------------------------------------


def order_lines(shortage, **quantities):
    return [
        {"product": getattr(shortage, name).pk, "quantity": qty} for name, qty in quantities.items()
    ]


def test_orders_are_created_per_supplier_through_the_po_service(shortage, demo):
    manager = demo.user("manager")
    before = PurchaseOrder.objects.count()
    result = replenishment_orders_create(
        user=manager,
        store=shortage.store,
        lines=order_lines(shortage, p1="12", p2="0", p3="15"),
        key="k-1",
    )
    assert result.created
    orders = list(result.purchase_orders)
    assert PurchaseOrder.objects.count() == before + 2
    assert [o.supplier for o in orders] == sorted([shortage.x, shortage.y], key=lambda s: s.code)
    by_supplier = {
        o.supplier_id: {
            (line.product.sku, line.quantity_ordered, line.unit_cost) for line in o.lines.all()
        }
        for o in orders
    }
    assert by_supplier[shortage.x.pk] == {("RPL1", D("12"), D("2"))}  # p2 at 0: left out
    assert by_supplier[shortage.y.pk] == {("RPL3", D("15"), D("4"))}
    assert {o.status for o in orders} == {"draft"}
    assert {o.created_by for o in orders} == {manager}
    assert {o.store for o in orders} == {shortage.store}


def test_a_bad_line_refuses_everything_with_a_message_per_line(shortage, demo):
    before = (PurchaseOrder.objects.count(), ReplenishmentBatch.objects.count())
    with pytest.raises(ValidationError) as refused:
        replenishment_orders_create(
            user=demo.user("manager"),
            store=shortage.store,
            lines=order_lines(shortage, p1="10", p2="-1", p3="5"),
            key="k-bad",
        )
    messages = refused.value.message_dict["lines"]
    assert any("RPL1" in m and "packs of 6" in m for m in messages)
    assert any("RPL2" in m and "zero or more" in m for m in messages)
    assert any("RPL3" in m and "minimum order quantity is 15" in m for m in messages)
    assert set(refused.value.by_product) == {
        str(shortage.p1.pk),
        str(shortage.p2.pk),
        str(shortage.p3.pk),
    }
    assert (PurchaseOrder.objects.count(), ReplenishmentBatch.objects.count()) == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "Nothing to order"),
        ([{"product": "RPL1", "quantity": "0"}], "Nothing to order"),
        ([{"product": "NOPE", "quantity": "6"}], "Unknown product"),
        ([{"product": "RPL1", "quantity": "abc"}], "Enter a number"),
        ([{"product": "RPL1", "quantity": "6"}, {"product": "RPL1", "quantity": "6"}], "twice"),
    ],
)
def test_bad_input_writes_nothing(shortage, demo, lines, message):
    before = PurchaseOrder.objects.count()
    with pytest.raises(ValidationError) as refused:
        replenishment_orders_create(
            user=demo.user("manager"), store=shortage.store, lines=lines, key="k-x"
        )
    assert message in " ".join(refused.value.messages)
    assert PurchaseOrder.objects.count() == before


def test_a_product_without_supplier_or_inactive_is_refused(shortage, demo):
    orphan = f.product(sku="RPLORPHAN")
    shortage.p2.active = False
    shortage.p2.save()
    with pytest.raises(ValidationError) as refused:
        replenishment_orders_create(
            user=demo.user("manager"),
            store=shortage.store,
            lines=[{"product": orphan.pk, "quantity": "1"}, {"product": "RPL2", "quantity": "1"}],
            key="k-y",
        )
    text = " ".join(refused.value.messages)
    assert "No active supplier sells this product" in text and "no longer active" in text


def test_the_same_key_twice_creates_nothing_more(shortage, demo):
    manager = demo.user("manager")
    lines = order_lines(shortage, p1="24", p3="15")
    first = replenishment_orders_create(user=manager, store=shortage.store, lines=lines, key="k-2")
    count = PurchaseOrder.objects.count()
    again = replenishment_orders_create(user=manager, store=shortage.store, lines=lines, key="k-2")
    assert not again.created
    assert list(again.purchase_orders) == list(first.purchase_orders)
    assert PurchaseOrder.objects.count() == count
    # After the orders, the lines are on order: no more suggestion for them.
    assert set(lines_of(manager, shortage.store)) == {"RPL2"}


def test_a_key_of_another_store_or_missing_is_refused(shortage, demo):
    head = demo.user("headoffice")
    replenishment_orders_create(
        user=head, store=shortage.store, lines=order_lines(shortage, p2="10"), key="k-3"
    )
    with pytest.raises(ValidationError):
        replenishment_orders_create(
            user=head, store=shortage.neighbour, lines=order_lines(shortage, p2="1"), key="k-3"
        )
    with pytest.raises(ValidationError):
        replenishment_orders_create(
            user=head, store=shortage.store, lines=order_lines(shortage, p2="1"), key=""
        )


def test_roles_and_scope_of_the_writes(shortage, demo):
    lines = order_lines(shortage, p2="10")
    with pytest.raises(PermissionDenied):
        replenishment_orders_create(
            user=demo.user("staff"), store=shortage.store, lines=lines, key="k-s"
        )
    with pytest.raises(OutOfScope):
        replenishment_orders_create(
            user=demo.user(f"manager-{shortage.neighbour.code}"),
            store=shortage.store,
            lines=lines,
            key="k-o",
        )
    outsider = demo.user(f"regional-{shortage.far.region.code}")
    with pytest.raises(OutOfScope):
        replenishment_orders_create(user=outsider, store=shortage.store, lines=lines, key="k-r")
    assert (
        not PurchaseOrder.objects.filter(store=shortage.store)
        .exclude(pk__in=[shortage.on_order_po.pk])
        .filter(status="draft")
        .exists()
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_create_one_set_of_orders():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from tests.conftest import seed_test_chain

    chain = seed_test_chain()
    shortage = build_shortage(chain)
    manager = chain.user("manager")
    before = PurchaseOrder.objects.count()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(
                replenishment_orders_create(
                    user=manager,
                    store=shortage.store,
                    lines=order_lines(shortage, p1="24", p2="10", p3="15"),
                    key="same-form",
                )
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r.created for r in results) == [False, True]
    assert PurchaseOrder.objects.count() == before + 2
    assert ReplenishmentBatch.objects.filter(key="same-form").count() == 1


# --- transfer requests ----------------------------------------------------------------


def test_transfer_request_from_the_neighbour(shortage, demo):
    manager = demo.user("manager")
    before = Transfer.objects.count()
    result = replenishment_transfer_request(
        user=manager,
        store=shortage.store,
        source_store=shortage.neighbour,
        lines=[{"product": shortage.p2.pk, "quantity": "10"}],
        key="t-1",
    )
    (transfer,) = result.transfers
    assert (transfer.source_store, transfer.destination_store, transfer.status) == (
        shortage.neighbour,
        shortage.store,
        "requested",
    )
    assert [(line.product, line.quantity_requested) for line in transfer.lines.all()] == [
        (shortage.p2, D("10"))
    ]
    again = replenishment_transfer_request(
        user=manager,
        store=shortage.store,
        source_store=shortage.neighbour,
        lines=[{"product": shortage.p2.pk, "quantity": "10"}],
        key="t-1",
    )
    assert not again.created and Transfer.objects.count() == before + 1


def test_transfer_from_another_region_or_with_bad_lines_is_refused(shortage, demo):
    head = demo.user("headoffice")
    before = Transfer.objects.count()
    with pytest.raises(ValidationError) as refused:
        replenishment_transfer_request(
            user=head,
            store=shortage.store,
            source_store=shortage.far,
            lines=[{"product": shortage.p2.pk, "quantity": "10"}],
            key="t-2",
        )
    assert "same region" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        replenishment_transfer_request(
            user=head,
            store=shortage.store,
            source_store=shortage.neighbour,
            lines=[{"product": shortage.p2.pk, "quantity": "-4"}],
            key="t-3",
        )
    with pytest.raises(PermissionDenied):
        replenishment_transfer_request(
            user=demo.user("staff"),
            store=shortage.store,
            source_store=shortage.neighbour,
            lines=[{"product": shortage.p2.pk, "quantity": "1"}],
            key="t-4",
        )
    assert Transfer.objects.count() == before


# --- the nightly task, through a real worker ------------------------------------------


def test_beat_schedules_the_nightly_recompute():
    from opsdesk.celery import app

    entry = app.conf.beat_schedule["inventory-reorder-rules-recompute"]
    assert entry["task"] == "inventory.tasks.reorder_rules_recompute"
    from inventory.tasks import reorder_rules_recompute_task

    assert app.tasks[entry["task"]].name == reorder_rules_recompute_task.name


def test_the_task_recomputes_through_a_real_worker(real_worker):  # noqa: F811 - the fixture
    from inventory.tasks import reorder_rules_recompute_task
    from tests.conftest import seed_test_chain

    chain = seed_test_chain()
    head = chain.user("headoffice")
    store = f.store("SH001")
    product = f.product()
    f.terms(product, f.supplier(lead_time_days=3))
    today = store.business_date()
    move(head, store, product, K.RECEIPT, 80, at(store, today - datetime.timedelta(days=10)))
    move(head, store, product, K.SALE, -28, at(store, today - datetime.timedelta(days=1)))
    manual = ReorderRule.objects.filter(store=store).exclude(product=product).first()
    ReorderRule.objects.filter(pk=manual.pk).update(
        method=MANUAL, reorder_point=D("1"), order_up_to=D("2")
    )

    counts = real_worker.run(reorder_rules_recompute_task.s([store.pk]))
    found = ReorderRule.objects.get(store=store, product=product)
    # 28 in one day: v = 1, σ = √(784/28 − 1) = √27; lead 3.
    _safety, point, up_to = expected_rule([28], lead=3)
    assert (found.reorder_point, found.order_up_to, found.method) == (point, up_to, VELOCITY)
    assert counts["created"] >= 1 and counts["manual"] >= 1
    manual.refresh_from_db()
    assert (manual.reorder_point, manual.order_up_to) == (D("1"), D("2"))
    again = real_worker.run(reorder_rules_recompute_task.s([store.pk]))
    assert again["created"] == 0 and again["updated"] == 0


def test_terms_refuse_a_negative_minimum_order_quantity(demo):
    from inventory.services import product_supplier_set

    product, supplier = f.product(), f.supplier()
    with pytest.raises(ValidationError):
        product_supplier_set(
            user=demo.user("headoffice"),
            product=product,
            supplier=supplier,
            unit_cost=D("1"),
            min_order_quantity=D("-1"),
        )
    assert not ProductSupplier.objects.filter(product=product).exists()
    terms = product_supplier_set(
        user=demo.user("headoffice"),
        product=product,
        supplier=supplier,
        unit_cost=D("1"),
        min_order_quantity=D("12"),
        lead_time_days=6,
    )
    assert (terms.min_order_quantity, terms.lead_time_days) == (D("12"), 6)
