"""A user's steps in the browser, shared by the browser tests."""

import re

from django.conf import settings
from playwright.sync_api import Page, expect

DEMO_PASSWORD = settings.OPSDESK_DEMO_PASSWORD
LOGIN_PATH = "/accounts/login/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
HOME_URL = re.compile(r"^https?://[^/]+/$")
LOGIN_URL = re.compile(re.escape(LOGIN_PATH) + r"(\?.*)?$")


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and submit the login form (fields found by id: the labels may be Chinese)."""
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator(f"form[action='{LOGIN_PATH}'] button[type=submit]").click()


def log_out(page: Page) -> None:
    """Open the user menu, press the logout button, land on the login page."""
    page.locator("details.user-menu > summary").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    with page.expect_navigation():
        logout.click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("#id_username")).to_be_visible()


def main_nav_link(page: Page, name: str):
    """A link of the main navigation, unfolding it first where it is folded (a phone)."""
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.get_by_test_id("nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return nav.get_by_role("link", name=name, exact=True)


def store_codes(page: Page, selector: str) -> set[str]:
    """The data-store-code values of the elements the selector matches."""
    return set(page.locator(selector).evaluate_all("els => els.map(e => e.dataset.storeCode)"))
