"""On a 390 px phone, the store manager logs a complaint, answers the customer and
resolves it; regional ops then find a complaint the SLA sweep escalated in their list."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Complaint
from customers.services import complaints_escalate_breached
from stores.models import Store

from .steps import PHONE, log_in, main_nav_link

pytestmark = pytest.mark.browser


def test_manager_logs_answers_and_resolves_then_regional_sees_an_escalation(live_demo, new_context):
    page = new_context(PHONE).new_page()
    log_in(page, "manager")
    main_nav_link(page, "Complaints").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints and feedback")
    page.get_by_test_id("log-complaint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a complaint")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    form = page.get_by_test_id("complaint-form")
    form.get_by_label("Complaint", exact=True).check()
    form.get_by_label("Category").select_option("product_quality")
    form.get_by_label("Severity").select_option("high")
    form.get_by_label("What happened").fill("Milk sold past its date; the customer felt ill.")
    form.get_by_label("Receipt or transaction number").fill("R-2026-0042")
    form.get_by_label("Member number").fill("M100000")
    form.get_by_label("Member number").blur()
    expect(page.get_by_test_id("lookup-results")).to_be_visible()
    form.get_by_label("Phone").fill("+86 139 0000 1111")
    tap = page.get_by_test_id("save-complaint").bounding_box()
    assert tap["height"] >= 44  # a big tap target
    with page.expect_navigation():
        page.get_by_test_id("save-complaint").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    complaint = Complaint.objects.latest("pk")
    expect(page.get_by_role("heading", level=1)).to_contain_text(complaint.number)
    expect(page.get_by_test_id("complaint-status")).to_have_text("New")
    first = page.locator("[data-testid=sla-clocks] [data-clock=first_response]")
    expect(first).to_have_attribute("data-state", "running")
    expect(first).to_contain_text("left")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The first response: the form is open while the clock runs.
    respond = page.get_by_test_id("respond-form")
    respond.get_by_label("Message").fill("Called the customer and apologised; refund offered.")
    with page.expect_navigation():
        page.get_by_test_id("respond").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("In progress")
    expect(page.locator("[data-testid=timeline] li[data-kind=response]")).to_contain_text(
        "refund offered"
    )
    expect(page.locator("[data-clock=first_response]").first).to_have_attribute("data-state", "met")

    page.get_by_text("Resolve", exact=True).click()
    resolve = page.get_by_test_id("resolve-form")
    resolve.get_by_label("How it was resolved").fill("Refunded and the batch taken off the shelf.")
    resolve.get_by_label("Compensation").fill("35.00")
    with page.expect_navigation():
        page.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("resolution")).to_contain_text("35.00")
    complaint.refresh_from_db()
    assert (complaint.status, str(complaint.compensation)) == ("resolved", "35.00")
    assert complaint.first_responded_at < complaint.first_resolved_at
    assert complaint.customer.member_number == "M100000"
    assert complaint.store.code == "SH001" and complaint.created_by.username == "manager"

    # Meanwhile a critical complaint at the store went unanswered past its hour: the
    # sweep (beat, every 5 minutes) escalates it to the region's ops.
    store = Store.objects.get(code="SH001")
    received = timezone.now() - datetime.timedelta(hours=3)
    late = Complaint.objects.create(
        store=store,
        channel="phone",
        category="safety",
        severity="critical",
        description="Broken glass in aisle 3, nobody came.",
        received_at=received,
        first_response_due_at=received + datetime.timedelta(hours=1),
        resolution_due_at=received + datetime.timedelta(hours=12),
    )
    assert complaints_escalate_breached() >= 1

    regional = new_context(PHONE).new_page()
    log_in(regional, "regional")
    regional.goto("/customers/")
    regional.get_by_label("Escalated").select_option("true")
    expect(regional).to_have_url(re.compile(r"escalated=true"))  # htmx pushes the filters
    rows = regional.locator("[data-testid=complaint-table] tbody tr")
    expect(rows.filter(has_not=regional.get_by_test_id("escalated"))).to_have_count(0)
    row = regional.locator(f"tr[data-complaint-id='{late.pk}']")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("escalated")).to_have_text("Escalated")
    expect(row.get_by_test_id("sla")).to_have_attribute("data-state", "overdue")
    codes = set(
        regional.locator("[data-testid=complaint-table] tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.storeCode)"
        )
    )
    assert codes and codes <= set(
        Store.objects.filter(region=store.region).values_list("code", flat=True)
    )
    row.get_by_role("link").click()
    expect(regional.get_by_test_id("escalated")).to_be_visible()
    expect(regional.locator("[data-testid=timeline] li[data-kind=escalated]")).to_have_count(1)
