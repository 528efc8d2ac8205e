"""On a phone, the store manager opens the replenishment suggestions, changes one
quantity, sets another to 0, creates the purchase orders and lands on them."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import PurchaseOrder, ReplenishmentBatch
from tests.inventory.test_replenishment import build_shortage

from .steps import PHONE, log_in

pytestmark = pytest.mark.browser


def test_manager_turns_suggestions_into_purchase_orders_on_a_phone(live_demo, new_context):
    shortage = build_shortage(live_demo)
    store = shortage.store
    before = PurchaseOrder.objects.count()

    page = new_context(PHONE).new_page()
    log_in(page, "manager")
    page.goto("/inventory/replenishment/")
    with page.expect_navigation():
        page.locator(f"a[href='/inventory/replenishment/{store.pk}/']").click()
    expect(page.get_by_test_id(f"supplier-{shortage.x.code}")).to_be_visible()
    expect(page.get_by_test_id(f"supplier-{shortage.y.code}")).to_be_visible()
    expect(page.get_by_test_id("qty-RPL1")).to_have_value("24")  # packs of 6
    expect(page.get_by_test_id("qty-RPL3")).to_have_value("15")  # minimum order
    expect(page.get_by_test_id(f"transfer-{shortage.neighbour.code}")).to_be_visible()

    # First a quantity that is not whole packs: refused, the line says why, nothing made.
    page.get_by_test_id("qty-RPL1").fill("13")
    page.get_by_test_id("qty-RPL2").fill("0")
    with page.expect_navigation():
        page.get_by_test_id("create-orders").click()
    expect(page.get_by_test_id("error-RPL1")).to_contain_text("packs of 6")
    expect(page.get_by_test_id("qty-RPL1")).to_have_value("13")
    assert PurchaseOrder.objects.count() == before

    page.get_by_test_id("qty-RPL1").fill("12")
    button = page.get_by_test_id("create-orders")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    with page.expect_navigation():
        button.click()

    expect(page).to_have_url(re.compile(rf"/inventory/replenishment/{store.pk}/\?created=\w+"))
    created = page.get_by_test_id("created-order")
    expect(created).to_have_count(2)
    batch = ReplenishmentBatch.objects.get()
    orders = list(batch.purchase_orders.order_by("pk"))
    assert PurchaseOrder.objects.count() == before + 2
    lines = {(line.product.sku, line.quantity_ordered) for o in orders for line in o.lines.all()}
    assert lines == {("RPL1", Decimal("12")), ("RPL3", Decimal("15"))}
    for order in orders:
        expect(created.filter(has_text=order.number)).to_have_count(1)
    # The created orders are links: the first opens the order as a draft.
    with page.expect_navigation():
        created.first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/inventory/orders/{orders[0].pk}/$"))
    expect(page.get_by_test_id("order-status")).to_have_text("Draft")
