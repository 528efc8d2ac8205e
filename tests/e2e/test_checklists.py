"""On a 390 px phone, the store manager fills today's opening checklist (with a photo),
every answer saving in place; regional ops then see it in the region comparison."""

import re

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from stores.checklists.models import ChecklistRun
from stores.checklists.selectors import region_comparison
from stores.checklists.services import runs_create_for_business_day
from stores.models import OpeningHours, Store

from .steps import log_in, main_nav_link

pytestmark = pytest.mark.browser


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "storefront.jpg"
    Image.new("RGB", (640, 480), (30, 120, 200)).save(path, format="JPEG")
    return path


@pytest.fixture
def opening_run(live_demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    store = Store.objects.get(code="SH001")
    today = store.business_date()
    # What the beat task does every 15 minutes; the store opens today whatever the weekday.
    first = OpeningHours.objects.filter(store=store).first()
    OpeningHours.objects.get_or_create(
        store=store,
        weekday=today.weekday(),
        defaults={"opens": first.opens, "closes": first.closes},
    )
    runs_create_for_business_day(store=store, business_date=today)
    return ChecklistRun.objects.get(
        store=store, business_date=today, version__template__code="opening"
    )


def _row(page, prompt):
    return page.locator("li[data-testid=item-row]").filter(has_text=prompt)


def test_manager_fills_the_opening_checklist_and_regional_sees_it(
    opening_run, new_context, photo_file
):
    regional = get_user_model().objects.get(username="regional")
    before = {s.code: s for s in region_comparison(user=regional)}["SH001"]

    page = new_context({"width": 390, "height": 844}).new_page()
    log_in(page, "manager")
    main_nav_link(page, "Checklists").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's checklists")
    page.locator("[data-testid=run-card][data-template=opening] a").click()
    expect(page).to_have_url(re.compile(rf"/checklists/runs/{opening_run.pk}/fill/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    for prompt in (
        "Alarm disarmed and doors checked",
        "Fire exits clear",
        "Lights and music on",
        "Tills open with float counted",
    ):
        row = _row(page, prompt)
        row.locator("label.choice.yes").click()
        expect(_row(page, prompt).get_by_test_id("saved")).to_contain_text("Saved")
    _row(page, "Floor cleanliness").locator("label.choice", has_text="Clean").click()
    expect(_row(page, "Floor cleanliness").get_by_test_id("saved")).to_contain_text("Saved")
    _row(page, "Photo of the storefront").get_by_test_id("photo-input").set_input_files(photo_file)
    expect(_row(page, "Photo of the storefront").get_by_test_id("photo-thumb")).to_be_visible()
    tap = page.locator("label.choice").first.bounding_box()
    assert tap["height"] >= 44  # big tap targets

    page.get_by_test_id("submit-run").click()
    expect(page).to_have_url(re.compile(rf"/checklists/runs/{opening_run.pk}/$"))
    expect(page.get_by_test_id("run-status")).to_have_text("Submitted")
    expect(page.get_by_test_id("run-score")).to_have_text("100.00%")
    run = ChecklistRun.objects.get(pk=opening_run.pk)
    assert run.status == "submitted" and run.answers.count() == 6
    assert run.answers.get(item__kind="photo").photo_id is not None

    after = {s.code: s for s in region_comparison(user=regional)}["SH001"]
    assert after.due_7 == before.due_7 + 1
    desk = new_context().new_page()
    log_in(desk, "regional")
    main_nav_link(desk, "Comparison").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Region comparison")
    row = desk.locator("[data-testid=comparison-table] tr[data-store-code=SH001]")
    expect(row.get_by_test_id("compliance-7")).to_contain_text(f"({after.on_time_7}/{after.due_7})")
    expect(desk.locator("[data-testid=comparison-table] tr[data-store-code=GZ002]")).to_have_count(
        0
    )
