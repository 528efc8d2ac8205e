"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API
against pytest-django's ``live_server``.

The live server answers from another thread, so these tests use ``transactional_db`` (data
committed for real, the database flushed after each test). Playwright's sync API keeps an
event loop running in the test thread, hence DJANGO_ALLOW_ASYNC_UNSAFE for the ORM calls the
tests make (seeding, comparing the page with the database).

Never ``playwright install``: the browser is the system Chromium.
"""

import os

import pytest

from tests.conftest import seed_test_chain

from .steps import DESKTOP, PHONE

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Fail fast: a missing element should not hold the suite for Playwright's default 30 s.
TIMEOUT_MS = 10_000

# Every page of every browser test reports what the Content-Security-Policy refused: the
# init script runs before any script of the page (and is not subject to its policy), the
# binding carries each securitypolicyviolation event back to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__opsdeskCspViolation({
    directive: e.effectiveDirective || e.violatedDirective,
    blocked: e.blockedURI,
    source: e.sourceFile,
    line: e.lineNumber,
    sample: e.sample,
    page: e.documentURI,
  });
}, true);
"""


@pytest.fixture(scope="session")
def _chromium_launcher():
    """One Playwright driver and one Chromium for the whole session, started on first use."""
    state = {}

    def launch(executable_path: str):
        if "browser" not in state:
            from playwright.sync_api import sync_playwright

            state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(
                executable_path=executable_path, args=CHROMIUM_ARGS
            )
        return state["browser"]

    yield launch
    if "browser" in state:
        state["browser"].close()
        state["playwright"].stop()


@pytest.fixture
def browser(chromium_path, _chromium_launcher):
    """The session's Chromium (skipped locally / failed in CI when Chromium is missing)."""
    return _chromium_launcher(chromium_path)


@pytest.fixture
def csp_violations():
    """What the Content-Security-Policy refused in any page of the test, as a list of dicts
    (``securitypolicyviolation`` events, and the browser's console errors about the policy).

    Any browser test fails when the list is not empty at its end: a test that provokes a
    violation on purpose empties it after checking it.
    """
    found = []
    yield found
    if found:
        lines = "\n".join(f"  {v}" for v in found[:20])
        pytest.fail(f"{len(found)} Content-Security-Policy violation(s):\n{lines}")


@pytest.fixture
def new_context(browser, live_server, csp_violations):
    """new_context(viewport=...) -> a fresh browser context (no cookies), closed after the test.

    Every page of it records the Content-Security-Policy violations (``csp_violations``).
    """
    contexts = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_violations.append(
                {"console": message.text, "page": message.page and message.page.url}
            )

    def make(viewport=DESKTOP):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.expose_binding(
            "__opsdeskCspViolation", lambda _source, violation: csp_violations.append(violation)
        )
        context.add_init_script(CSP_LISTENER)
        context.on("console", on_console)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A desktop-sized page (1280x800)."""
    return new_context(DESKTOP).new_page()


@pytest.fixture
def phone_page(new_context):
    """A phone-sized page (390x844)."""
    return new_context(PHONE).new_page()


@pytest.fixture
def live_demo(transactional_db, live_server):
    """The demo chain, committed so that the live server thread sees it."""
    return seed_test_chain()
