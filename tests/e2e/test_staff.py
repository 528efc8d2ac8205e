"""The store manager builds next week's schedule: an overlapping shift is flagged live,
publishing is refused with the rule it breaks, the shift is fixed, the week is published.
Then store staff, on a 390 px phone, see their shift of next week and ask for a swap."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from staff import times
from staff.models import Employee, Schedule, Shift, SwapRequest
from stores.models import Store

from .steps import PHONE, log_in, log_out, main_nav_link

pytestmark = pytest.mark.browser


def test_manager_publishes_next_week_and_staff_ask_for_a_swap(live_demo, new_context):
    store = Store.objects.get(code="SH001")
    monday = times.week_start(store.business_date()) + datetime.timedelta(days=7)
    schedule = Schedule.objects.get(store=store, week_start=monday)
    assert schedule.status == "draft"
    person = Employee.objects.get(user__username="staff")
    theirs = schedule.shifts.filter(employee=person).order_by("start_at").first()
    tz = store.tz
    start = times.local(theirs.start_at, tz)
    before = schedule.shifts.filter(employee=person).count()

    page = new_context({"width": 1280, "height": 900}).new_page()
    log_in(page, "manager")
    main_nav_link(page, "Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedules")
    with page.expect_navigation():
        page.get_by_test_id("next-week-SH001").click()
    grid = page.get_by_test_id("week-grid")
    expect(page.get_by_test_id("week-status")).to_have_text("Draft")
    expect(page.get_by_test_id("checks-ok")).to_be_visible()

    # Add a second shift for the same person, overlapping their shift that day.
    form = page.get_by_test_id("shift-form")
    form.locator("#id_employee").select_option(str(person.pk))
    form.locator("#id_business_date").select_option(theirs.business_date.isoformat())
    overlap = start + datetime.timedelta(hours=2)
    form.locator("#id_starts").fill(f"{overlap:%H:%M}")
    form.locator("#id_ends").fill(f"{overlap + datetime.timedelta(hours=4):%H:%M}")
    form.locator("#id_break_minutes").fill("0")
    form.get_by_test_id("add-shift").click()  # htmx: the grid is swapped in place
    violation = grid.locator("[data-testid=violation][data-rule=overlap]")
    expect(violation).to_contain_text(person.name)
    assert Shift.objects.filter(schedule=schedule, employee=person).count() == before + 1

    # Publishing is refused with the rule broken; nothing is published.
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    errors = page.get_by_test_id("staff-errors")
    expect(errors).to_contain_text(
        re.compile(r"The week cannot be published: \d+ rules? (is|are) broken\.")
    )
    expect(errors.locator("[data-rule=overlap]")).to_contain_text(person.name)
    assert Schedule.objects.get(pk=schedule.pk).status == "draft"

    # Fix it: the added shift goes again (the grid is swapped, the checks pass).
    added = Shift.objects.filter(schedule=schedule, employee=person).order_by("-pk").first()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"[data-shift='{added.pk}'] [data-testid=shift-delete]").click()
    expect(page.get_by_test_id("checks-ok")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("week-status")).to_contain_text("Published")
    assert Schedule.objects.get(pk=schedule.pk).status == "published"
    log_out(page)

    # Store staff on a phone: the shift of next week is there; they ask for a swap.
    phone = new_context(PHONE).new_page()
    log_in(phone, "staff")
    main_nav_link(phone, "Staff").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("My shifts")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = phone.locator(f"[data-testid=my-shift][data-shift='{theirs.pk}']")
    expect(card.get_by_test_id("my-shift-time")).to_have_text(re.compile(rf"^{start:%H:%M}–"))
    card.get_by_test_id("ask-swap").click()
    swap_form = card.get_by_test_id("swap-form")
    swap_form.locator("select[name=mode]").select_option("open")
    swap_form.locator("input[name=note]").fill("Exam that day")
    tap = card.get_by_test_id("send-swap").bounding_box()
    assert tap["height"] >= 44  # a thumb-sized button
    with phone.expect_navigation():
        card.get_by_test_id("send-swap").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Swap requests")
    mine = phone.locator("[data-testid=swap][data-status=pending]").filter(has_text="Exam that day")
    expect(mine).to_have_count(1)
    swap = SwapRequest.objects.get(shift=theirs)
    assert (swap.from_employee, swap.to_employee, swap.status) == (person, None, "pending")
