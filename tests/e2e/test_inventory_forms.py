"""A store manager writes off stock on a phone; head office imports the catalogue, is
shown the bad row, fixes the file and imports it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import Category, Product, PurchaseOrder, StockLevel, StockMovement, Supplier
from inventory.services import stock_movement_post
from stores.models import Store

from .steps import PHONE, log_in

pytestmark = pytest.mark.browser


def test_manager_writes_off_damaged_stock_on_a_phone(live_demo, new_context):
    manager = live_demo.user("manager")
    store = Store.objects.get(code="SH001")
    category = Category.objects.create(code="e2ewo", name="E2E write-off")
    eggs = Product.objects.create(
        sku="E2EEGGS", barcode="6909999000030", name="E2E eggs", category=category, cost=2
    )
    stock_movement_post(
        user=manager,
        store=store,
        product=eggs,
        kind="receipt",
        quantity=Decimal("12"),
        unit_cost=Decimal("2"),
    )

    page = new_context(PHONE).new_page()
    log_in(page, "manager")
    page.goto("/inventory/")
    with page.expect_navigation():
        page.get_by_test_id("nav-writeoff").click()
    expect(page.locator("#id_store")).to_have_value(str(store.pk))  # their only store

    # Too many first: refused beside the quantity, nothing written. The scanner's Enter
    # in the product field moves on to the quantity rather than submitting.
    page.locator("#id_product").fill("6909999000030")
    page.locator("#id_product").press("Enter")
    expect(page.locator("#id_quantity")).to_be_focused()
    page.locator("#id_quantity").fill("13")
    page.locator("#id_reason").select_option("damaged")
    with page.expect_navigation():
        page.get_by_test_id("writeoff-submit").click()
    expect(page.get_by_test_id("error-quantity")).to_contain_text("Only 12 of E2EEGGS on hand")
    assert StockLevel.objects.get(store=store, product=eggs).on_hand == Decimal("12")

    page.locator("#id_quantity").fill("3")
    page.locator("#id_note").fill("dropped crate")
    button = page.get_by_test_id("writeoff-submit")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    with page.expect_navigation():
        button.click()
    expect(page.locator(".messages")).to_contain_text("3 × E2EEGGS written off at SH001: 9 left")
    expect(page.get_by_test_id("writeoff-recent")).to_contain_text("E2EEGGS")

    # The product's page shows the lower stock level.
    with page.expect_navigation():
        page.get_by_test_id("writeoff-recent").get_by_role("link", name="E2EEGGS").click()
    levels = page.get_by_test_id("product-levels")
    expect(levels.locator("tr", has_text="SH001")).to_contain_text("9")
    level = StockLevel.objects.get(store=store, product=eggs)
    assert level.on_hand == Decimal("9")
    movement = StockMovement.objects.filter(product=eggs).first()
    assert movement.kind == "write_off_damaged" and movement.reason == "Damaged: dropped crate"


def test_head_office_fixes_a_bad_catalogue_row_and_imports(live_demo, new_context):
    Category.objects.create(code="e2ecat", name="E2E catalogue")
    bad = (
        "sku,name,category,cost,retail_price\n"
        "E2EC1,Jasmine tea,e2ecat,3.20,6.50\n"
        "E2EC2,Oolong tea,e2ecat,three,7.00\n"
    )
    page = new_context().new_page()
    log_in(page, "headoffice")
    page.goto("/inventory/import/catalogue/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "catalogue.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("The file was not imported: 1 error")
    expect(page.get_by_test_id("row-error")).to_have_count(1)
    expect(page.get_by_test_id("row-error")).to_contain_text(
        re.compile(r"3\s*cost\s*Enter a number")
    )
    assert not Product.objects.filter(sku__startswith="E2EC").exists()
    with page.expect_download() as download:
        page.get_by_test_id("errors-download").click()
    with open(download.value.path(), encoding="utf-8-sig") as report_file:
        report = report_file.read()
    assert report.splitlines() == ["row,column,message", "3,cost,Enter a number."]

    fixed = bad.replace("three", "3.60")
    page.locator("#id_file").set_input_files(
        files=[{"name": "catalogue.csv", "mimeType": "text/csv", "buffer": fixed.encode()}]
    )
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()
    expect(page.locator(".messages")).to_contain_text("2 rows read; 2 created")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    assert Product.objects.get(sku="E2EC2").cost == Decimal("3.6")


def test_manager_creates_a_purchase_order_adding_and_removing_lines(live_demo, new_context):
    category = Category.objects.create(code="e2epo", name="E2E order")
    for sku in ("E2EPO1", "E2EPO2", "E2EPO3"):
        Product.objects.create(sku=sku, name=f"E2E {sku}", category=category, cost=1)
    supplier = Supplier.objects.create(code="E2EPOSUP", name="E2E order supplier")

    page = new_context(PHONE).new_page()
    log_in(page, "manager")
    page.goto("/inventory/orders/")
    with page.expect_navigation():
        page.get_by_test_id("po-new").click()
    page.locator("#id_supplier").select_option(str(supplier.pk))
    rows = page.get_by_test_id("lines").locator("[data-line]")
    expect(rows).to_have_count(2)
    page.get_by_test_id("line-add").click()  # htmx: a third, empty row
    expect(rows).to_have_count(3)
    for index, (sku, quantity) in enumerate([("E2EPO1", "6"), ("E2EPO2", "x"), ("E2EPO3", "2")]):
        rows.nth(index).get_by_test_id("line-product").fill(sku)
        rows.nth(index).get_by_test_id("line-quantity").fill(quantity)
    with page.expect_navigation():
        page.get_by_test_id("po-submit").click()
    # The bad quantity is shown on its line; nothing was created; the lines are kept.
    expect(rows.nth(1).get_by_test_id("line-error")).to_have_text("Enter a number.")
    expect(rows).to_have_count(3)
    assert not PurchaseOrder.objects.filter(supplier=supplier).exists()
    rows.nth(1).get_by_test_id("line-remove").click()
    expect(rows).to_have_count(2)
    with page.expect_navigation():
        page.get_by_test_id("po-submit").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Draft")
    order = PurchaseOrder.objects.get(supplier=supplier)
    assert sorted(order.lines.values_list("product__sku", "quantity_ordered")) == [
        ("E2EPO1", Decimal("6")),
        ("E2EPO3", Decimal("2")),
    ]
