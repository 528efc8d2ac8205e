"""Phone-first layout and keyboard access; the screenshots for humans."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .steps import DEMO_PASSWORD, DESKTOP, HOME_URL, PHONE, log_in, main_nav_link

pytestmark = pytest.mark.browser

# For humans, not asserted: /tmp/opsdesk-home-390.png and /tmp/opsdesk-home-1280.png.
SCREENSHOT_DIR = Path(os.environ.get("OPSDESK_SCREENSHOT_DIR") or tempfile.gettempdir())


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0: no sideways scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def within_viewport_width(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_home_fits_the_screen_and_nav_is_reachable(live_demo, new_context, viewport):
    page = new_context(viewport).new_page()
    log_in(page, "headoffice")  # the biggest home page: every store
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_test_id("store-card")).to_have_count(len(live_demo.stores))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=SCREENSHOT_DIR / f"opsdesk-home-{viewport['width']}.png", full_page=True)

    # The user menu opens inside the screen.
    page.locator("details.user-menu > summary").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    assert within_viewport_width(page, logout)
    assert within_viewport_width(page, page.get_by_role("link", name="Change password"))
    page.locator("details.user-menu > summary").click()

    # On a phone the nav folds behind its Menu button: the header stays one or two rows.
    header = page.locator("header.topbar").bounding_box()
    toggle = page.get_by_test_id("nav-toggle")
    if viewport is PHONE:
        assert header["height"] <= 120, header
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#main-nav-list")).to_be_hidden()
    else:
        expect(toggle).to_be_hidden()

    # The nav is on screen and works.
    stores = main_nav_link(page, "Stores")
    expect(stores).to_be_in_viewport()
    assert within_viewport_width(page, stores)
    stores.click()
    expect(page).to_have_url(re.compile(r"/stores/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stores")
    assert horizontal_overflow(page) <= 0  # the wide table scrolls in its own box


def test_keyboard_skip_link_and_labelled_login_form(live_demo, phone_page):
    page = phone_page
    page.goto("/accounts/login/")
    # The login form's fields are found by their labels; the cursor starts in Username.
    username = page.get_by_label("Username", exact=True)
    password = page.get_by_label("Password", exact=True)
    expect(username).to_be_focused()
    expect(password).to_have_attribute("type", "password")
    assert horizontal_overflow(page) <= 0
    # Keyboard only: type, Tab to the password, Enter submits.
    page.keyboard.type("manager")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(HOME_URL)

    # From the top of the page, Tab reaches the skip link first; it shows and works.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # Keyboard only: unfold the nav with its Menu button (a phone), Escape folds it back
    # and returns to the button; then reach the Stores link and follow it.
    page.goto("/")
    toggle = page.get_by_test_id("nav-toggle")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "nav-toggle":
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-nav-list")).to_be_visible()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav-list")).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Stores":
            break
    stores = page.locator("header.topbar nav").get_by_role("link", name="Stores", exact=True)
    expect(stores).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/stores/$"))
