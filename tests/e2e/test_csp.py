"""The Content-Security-Policy: every page of the crawl, for every role (the admin pages
head office sees and the API docs included), carries the policy, has no inline script,
event handler, ``javascript:`` URL or inline style in its HTML, and makes the browser
report no violation (``csp_violations``, recorded in every browser test). Then the
interactive parts are used under the policy and still work."""

import logging
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from stores.models import Store

from .crawl import ANONYMOUS_PATHS, admin_paths, inline_code, page_paths
from .steps import PHONE, log_in, main_nav_link

pytestmark = pytest.mark.browser

ROLES = ["anonymous", "headoffice", "regional", "manager", "staff", "admin"]


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


# The one exception (settings.OPSDESK_CSP_PATH_UPDATES): inline styles in the HTML of DRF's
# browsable API. Widening it means changing this test too.
INLINE_STYLE_PATHS = ("/api/v1/",)


def styles_allowed(path) -> bool:
    return path.startswith(INLINE_STYLE_PATHS)


def assert_strict(path, directives):
    """Scripts only from our origin, never inline or evaluated; no plugins, no framing;
    styles from our origin only, outside the one exception."""
    assert directives, f"{path}: no Content-Security-Policy header"
    assert directives.get("script-src") == ["'self'"], (path, directives)
    assert "script-src-attr" not in directives and "script-src-elem" not in directives
    assert directives.get("object-src") == ["'none'"], path
    assert directives.get("base-uri") == ["'none'"], path
    assert directives.get("frame-ancestors") == ["'none'"], path
    assert directives.get("default-src") == ["'self'"], path
    assert directives.get("report-uri") == ["/csp-report/"], path
    expected = ["'self'", "'unsafe-inline'"] if styles_allowed(path) else ["'self'"]
    assert directives.get("style-src") == expected, (path, directives)


def inline_problems(path, html) -> list[str]:
    found = inline_code(html)
    if styles_allowed(path):
        found = [f for f in found if "style" not in f]
    return [f"{path}: {f}" for f in found]


def settle(page):
    """Wait for the htmx requests the page made on load (the unread badge) to be swapped in."""
    page.wait_for_function(
        "() => !window.htmx || !document.querySelector('.htmx-request, .htmx-settling')"
    )


def visit(page, path):
    """Open a page; None when it is a download (a CSV of rejected rows) rather than a page."""
    try:
        return page.goto(path, wait_until="load")
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return None
        raise


@pytest.mark.parametrize("username", ROLES)
def test_every_page_has_the_policy_and_breaks_none_of_it(
    live_demo, new_context, csp_violations, username
):
    page = new_context().new_page()
    if username == "anonymous":
        paths = ANONYMOUS_PATHS
    else:
        user = live_demo.user(username)
        paths = page_paths(user) + admin_paths(user)
        if username in ("headoffice", "admin"):  # the admin pages head office may open
            assert any(path.startswith("/admin/accounts/user/") for path in paths)
        log_in(page, username)
    assert len(paths) >= 3
    problems = []
    pages = 0
    for path in paths:
        response = visit(page, path)
        if response is None:
            continue
        assert response.status < 500, (path, response.status)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        pages += 1
        assert_strict(path, policy_of(response))
        problems += inline_problems(path, response.text())
        settle(page)
    assert not problems, "\n".join(problems)
    assert pages >= len(paths) // 2
    assert not csp_violations, csp_violations


def test_injected_inline_code_is_refused_and_reported(live_demo, page, csp_violations, caplog):
    """The policy is enforced, not only sent: markup slipped into a page cannot run script,
    and the browser reports it to our endpoint, which logs it."""
    caplog.set_level(logging.WARNING, logger="opsdesk.csp")
    log_in(page, "manager")
    page.goto("/stores/")
    page.evaluate(
        """() => {
          window.ran = [];
          document.body.insertAdjacentHTML("beforeend",
            '<img src="/static/favicon.svg" onload="window.ran.push(1)">' +
            '<a id="js-link" href="javascript:window.ran.push(2)">x</a>' +
            '<p id="styled" style="color: rgb(1, 2, 3)">x</p>');
          const script = document.createElement("script");
          script.textContent = "window.ran.push(3)";
          document.body.appendChild(script);
        }"""
    )
    page.locator("#js-link").click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.ran") == []
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(1, 2, 3)"
    )
    directives = {v.get("directive") for v in csp_violations}
    assert {"script-src-attr", "script-src-elem", "style-src-attr"} <= directives
    csp_violations.clear()
    for _ in range(50):  # the browser sends its reports in the background
        logged = [r.getMessage() for r in caplog.records if r.name == "opsdesk.csp"]
        if any("script-src-attr" in m for m in logged):
            break
        page.wait_for_timeout(100)
    assert any("document-uri=" in m and "/stores/" in m for m in logged), logged


def test_htmx_parts_work_under_the_policy(live_demo, new_context):
    """htmx is configured not to evaluate code nor inject styles; its forms still work."""
    page = new_context(PHONE).new_page()
    log_in(page, "headoffice")
    config = page.evaluate(
        "() => [htmx.config.allowEval, htmx.config.includeIndicatorStyles,"
        " htmx.config.allowScriptTags]"
    )
    assert config == [False, False, False]
    # The unread badge loads by itself (hx-trigger=load).
    expect(page.get_by_test_id("unread-badge")).to_be_attached()
    # The folded phone navigation opens (static/js/nav.js).
    main_nav_link(page, "Stores").click()
    expect(page).to_have_url(re.compile(r"/stores/$"))
    # The store search filters as one types (hx-trigger with a delay, swapped in place).
    store = Store.objects.order_by("code").first()
    rows = page.locator("[data-testid=store-table] tbody tr[data-store-code]")
    expect(rows).to_have_count(Store.objects.count())
    page.locator("#id_search").fill(store.code)
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-store-code", store.code)
    assert "search=" in page.url  # hx-push-url


def test_api_docs_render_and_call_the_api_under_the_policy(live_demo, page):
    """Swagger UI (drf-spectacular's split view: its set-up script is a file of our origin)
    draws the operations from the schema and calls the API with the session."""
    log_in(page, "manager")
    page.goto("/api/docs/")
    # Swagger UI draws the operations near the top of the page first.
    operation = page.locator("#operations-checklists-checklists_runs_list")
    expect(operation).to_be_visible(timeout=20_000)
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200", timeout=20_000)
    expect(operation.locator(".live-responses-table")).to_contain_text('"results"')
