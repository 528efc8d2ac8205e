"""A store manager changes their password from the user menu."""

import re

import pytest
from playwright.sync_api import expect

from .steps import DEMO_PASSWORD, HOME_URL, LOGIN_URL, log_in, log_out

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Shelf-Count-7421"


def open_password_change(page):
    page.locator("details.user-menu > summary").click()
    page.get_by_role("link", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change password")


def fill_password_change(page, old, new):
    page.get_by_label("Old password", exact=True).fill(old)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password confirmation", exact=True).fill(new)
    with page.expect_navigation():
        page.get_by_role("button", name="Change password").click()


def test_manager_changes_password(live_demo, page):
    log_in(page, "manager")
    expect(page).to_have_url(HOME_URL)
    open_password_change(page)
    fill_password_change(page, DEMO_PASSWORD, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/password/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")

    log_out(page)
    # The old password no longer works ...
    log_in(page, "manager", DEMO_PASSWORD)
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    # ... the new one does.
    log_in(page, "manager", NEW_PASSWORD)
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_test_id("store-card")).to_have_count(1)


def test_wrong_old_password_changes_nothing(live_demo, page):
    log_in(page, "manager")
    open_password_change(page)
    fill_password_change(page, "not-my-password", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    error = page.locator("#id_old_password-errors")
    expect(error).to_be_visible()
    expect(error).to_contain_text("old password was entered incorrectly")
    expect(page.get_by_label("Old password", exact=True)).to_have_attribute("aria-invalid", "true")
    assert live_demo.user("manager").check_password(DEMO_PASSWORD)

    # Still signed in, and the demo password still works after logging out.
    page.goto("/")
    expect(page).to_have_url(HOME_URL)
    log_out(page)
    log_in(page, "manager", NEW_PASSWORD)
    expect(page).to_have_url(LOGIN_URL)
    log_in(page, "manager", DEMO_PASSWORD)
    expect(page).to_have_url(HOME_URL)
