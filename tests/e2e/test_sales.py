"""Head office splits a month's target in the browser; the store manager sees the day's
target and the month-to-date attainment on the store's sales day."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sales.models import DayTarget, MonthTarget
from sales.selectors import store_day
from stores.models import Store
from tests.conftest import DemoChainView, seed_test_chain

from .steps import log_in, log_out

pytestmark = pytest.mark.browser


@pytest.fixture
def small_demo(transactional_db, live_server):
    seed_test_chain()
    return DemoChainView()


def _pct(value) -> str:
    return f"{round(value * 100)}\u00a0%"


def test_headoffice_splits_and_manager_sees_target_and_attainment(small_demo, page):
    month = timezone.localdate().replace(day=1)
    log_in(page, "headoffice")
    page.goto(f"/sales/targets/?month={month:%Y-%m}")
    form = page.get_by_test_id("target-set-form")
    form.locator("#id_amount").fill("123456.78")
    form.locator("#id_method").select_option("equal")
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(page.get_by_test_id("month-target")).to_contain_text("123456.78")
    target = MonthTarget.objects.get(month=month)
    assert str(target.amount) == "123456.78"
    regions = page.locator("[data-testid=region-targets] tbody tr")
    expect(regions).to_have_count(target.regions.count())
    log_out(page)

    log_in(page, "manager")
    store = Store.objects.get(code="SH001")
    date = store.business_date()
    page.goto(f"/sales/stores/{store.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("SH001"))
    day_target = DayTarget.objects.get(store=store, date=date).amount
    expect(page.get_by_test_id("day-target")).to_have_text(f"{day_target:.2f}")
    figures = store_day(user=small_demo.user("manager"), store_pk=store.pk, date=date)
    expect(page.get_by_test_id("mtd-attainment")).to_have_text(_pct(figures.attainment.attainment))
    expect(page.get_by_test_id("day-attainment")).to_have_text(_pct(figures.day_attainment))
