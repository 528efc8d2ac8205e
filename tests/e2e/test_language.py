"""A user switches to Simplified Chinese; the choice is remembered on the user."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.conftest import require_service

from .steps import HOME_URL, log_in, log_out

pytestmark = pytest.mark.browser

ZH_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def nav_link(page, name):
    return page.locator("header.topbar nav").get_by_role("link", name=name, exact=True)


def expect_chinese(page):
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_link(page, "门店")).to_be_visible()
    expect(nav_link(page, "首页")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text("退出登录")
    expect(nav_link(page, "Stores")).to_have_count(0)
    # Data in Chinese too: the region headings use the regions' Chinese names.
    expect(page.get_by_role("heading", level=2, name="华东区")).to_be_visible()


def expect_english(page):
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_link(page, "Stores")).to_be_visible()
    expect(nav_link(page, "Home")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text("Log out")
    expect(page.get_by_role("heading", level=2, name="East China")).to_be_visible()


def switch_language(page, label):
    page.get_by_test_id("language-select").select_option(label=label)
    with page.expect_navigation():
        page.locator("form.language-form button[type=submit]").click()


def test_language_switch_is_remembered_per_user(live_demo, page, new_context):
    require_service(
        ZH_CATALOGUE.exists(), "the compiled zh-hans catalogue (manage.py compile_translations)"
    )
    log_in(page, "regional")
    expect(page).to_have_url(HOME_URL)
    expect_english(page)

    switch_language(page, "简体中文")
    expect(page).to_have_url(HOME_URL)  # back where the user was
    expect_chinese(page)
    assert live_demo.user("regional").language == "zh-hans"

    # Log out and in again in the same browser: still Chinese.
    log_out(page)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    log_in(page, "regional")
    expect(page).to_have_url(HOME_URL)
    expect_chinese(page)

    # A fresh browser (no language cookie, English browser): the login page is English,
    # and once signed in the user's own choice wins.
    fresh = new_context().new_page()
    fresh.goto("/accounts/login/")
    expect(fresh.locator("html")).to_have_attribute("lang", "en")
    log_in(fresh, "regional")
    expect(fresh).to_have_url(HOME_URL)
    expect_chinese(fresh)

    # Back to English, remembered as well.
    switch_language(fresh, "English")
    expect_english(fresh)
    assert live_demo.user("regional").language == "en"
    page.reload()
    expect_english(page)
