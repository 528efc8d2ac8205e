"""Head office creates a promotion in the browser, then corrects an overlap; the store
manager sees it on the promotions page, without the create button."""

import datetime

import pytest
from playwright.sync_api import expect

from inventory.models import Product
from sales.models import Promotion
from stores.models import Store
from tests.conftest import DemoChainView, seed_test_chain

from .steps import log_in, log_out

pytestmark = pytest.mark.browser

START = datetime.date(2026, 9, 7)


@pytest.fixture
def small_demo(transactional_db, live_server):
    seed_test_chain()
    return DemoChainView()


def _fill(page, name, start, end, pct, store_ids, product_ids):
    form = page.get_by_test_id("promotion-form")
    form.locator("#id_name").fill(name)
    form.locator("#id_start_date").fill(start.isoformat())
    form.locator("#id_end_date").fill(end.isoformat())
    form.locator("#id_discount_pct").fill(pct)
    for store_id in store_ids:
        form.locator(f"input[name=stores][value='{store_id}']").check()
    form.locator("#id_products").select_option([str(p) for p in product_ids])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_headoffice_creates_a_promotion_and_manager_sees_it(small_demo, page):
    sh001 = Store.objects.get(code="SH001")
    products = list(Product.objects.filter(active=True).order_by("sku")[:2])
    log_in(page, "headoffice")
    page.goto("/sales/promotions/")
    with page.expect_navigation():
        page.get_by_test_id("promotion-new").click()
    end = START + datetime.timedelta(days=6)
    _fill(page, "Mid-autumn week", START, end, "15", [sh001.pk], [p.pk for p in products])
    expect(page.get_by_role("heading", level=1)).to_have_text("Mid-autumn week")
    expect(page.get_by_test_id("promotion-stores")).to_contain_text("SH001")
    promo = Promotion.objects.get(name="Mid-autumn week")
    assert promo.discount_pct == 15 and promo.products.count() == 2

    # A second promotion on the same product, store and days is refused, with the reason.
    page.goto("/sales/promotions/new/")
    _fill(page, "Clash", START, START, "10", [sh001.pk], [products[0].pk])
    expect(page.get_by_test_id("promotion-errors")).to_contain_text(products[0].sku)
    assert not Promotion.objects.filter(name="Clash").exists()
    # Moved to the week after, it is accepted.
    form = page.get_by_test_id("promotion-form")
    form.locator("#id_start_date").fill((end + datetime.timedelta(days=1)).isoformat())
    form.locator("#id_end_date").fill((end + datetime.timedelta(days=3)).isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clash")
    log_out(page)

    log_in(page, "manager")
    page.goto("/sales/promotions/")
    table = page.get_by_test_id("promotion-table")
    expect(table).to_contain_text("Mid-autumn week")
    expect(page.get_by_test_id("promotion-new")).to_have_count(0)
