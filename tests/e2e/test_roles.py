"""Each demo role logs in and sees exactly the stores in its scope, nothing more."""

import re

import pytest
from playwright.sync_api import expect

from stores.models import Store

from .steps import HOME_URL, log_in, log_out, main_nav_link, store_codes

pytestmark = pytest.mark.browser

CHAIN_ROLES = {"headoffice", "admin"}


@pytest.mark.parametrize("username", ["headoffice", "regional", "manager", "staff", "admin"])
def test_role_sees_its_stores_and_only_them(live_demo, page, username):
    user = live_demo.user(username)
    visible = Store.objects.visible_to(user)
    in_scope = set(visible.values_list("code", flat=True))
    assert in_scope, f"the demo chain gives {username} no store"
    if username in CHAIN_ROLES:
        assert in_scope == {s.code for s in live_demo.stores}

    # Log in through the form: the home page lists the stores in scope.
    log_in(page, username)
    expect(page).to_have_url(HOME_URL)
    cards = page.get_by_test_id("store-card")
    expect(cards).to_have_count(len(in_scope))
    assert store_codes(page, "[data-testid=store-card]") == in_scope
    expect(page.get_by_test_id("store-count")).to_contain_text(f" {len(in_scope)} store")
    admin_link = page.get_by_role("link", name="Administration", exact=True)
    expect(admin_link).to_have_count(1 if username in CHAIN_ROLES else 0)

    # The store list (through the nav) shows the same set.
    main_nav_link(page, "Stores").click()
    expect(page).to_have_url(re.compile(r"/stores/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stores")
    rows = page.locator("[data-testid=store-table] tbody tr[data-store-code]")
    expect(rows).to_have_count(len(in_scope))
    assert store_codes(page, "[data-testid=store-table] tbody tr[data-store-code]") == in_scope

    # An in-scope store's detail page, opened from the list.
    store = visible.order_by("code").first()
    rows.filter(has=page.locator(f"td:text-is('{store.code}')")).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/stores/{store.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(store.name)
    expect(page.get_by_role("heading", level=1)).to_contain_text(store.code)

    # Another store's detail URL answers 404, and does not leak the store.
    outside = Store.objects.exclude(pk__in=visible.values("pk")).order_by("code").first()
    if username in CHAIN_ROLES:
        assert outside is None
    else:
        assert outside is not None
        response = page.goto(f"/stores/{outside.pk}/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("body")).not_to_contain_text(outside.name)
        expect(page.locator("body")).not_to_contain_text(outside.code)

    log_out(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    # Logged out for real: the home page now asks for a login.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
