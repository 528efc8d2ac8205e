"""The Content-Security-Policy header on every kind of response, the templates and Python
that write HTML free of inline code, and the violation report endpoint (opsdesk/platform/csp.py).
The browser side (every page of every role, the violations Chromium reports, the
interactive parts) is tests/e2e/test_csp.py."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.e2e.crawl import inline_code

ROOT = Path(__file__).resolve().parent.parent
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "report-uri": "/csp-report/",
}


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()
    }


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/no-such-page/",
        "/healthz",
        "/api/docs/",
        "/api/docs/?script=",
        "/api/v1/stores/",  # JSON for an API client: no exception there
    ],
)
def test_every_response_carries_the_strict_policy(db, client, path):
    response = client.get(path)
    assert policy(response) == STRICT, path


def test_logged_in_pages_admin_and_api_json_carry_it(demo, client, api_as):
    client.force_login(demo.user("headoffice"))
    for path in ("/", "/stores/", "/admin/", "/admin/accounts/user/", "/api/docs/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert policy(response) == STRICT, path
    response = api_as(demo.user("headoffice")).get("/api/v1/stores/")
    assert response["Content-Type"].startswith("application/json")
    assert policy(response) == STRICT


def test_the_browsable_api_alone_may_use_inline_styles(demo, client):
    """DRF's browsable API writes style attributes in its own templates: inline styles (only
    styles, only there) are allowed for its HTML; scripts stay 'self'."""
    assert settings.OPSDESK_CSP_PATH_UPDATES == {"/api/v1/": {"style-src": ["'unsafe-inline'"]}}
    client.force_login(demo.user("headoffice"))
    response = client.get("/api/v1/stores/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    assert policy(response) == {**STRICT, "style-src": "'self' 'unsafe-inline'"}


def test_api_docs_load_their_set_up_script_from_our_origin(db, client):
    html = client.get("/api/docs/").content.decode()
    assert inline_code(html) == []
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', html)
    assert script, html
    response = client.get(script.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def _templates():
    return sorted((ROOT / "templates").rglob("*.html"))


def test_no_template_has_inline_script_handlers_or_styles():
    """Every template, partials included (the browser crawl reaches pages, not every
    branch): no inline script, on*= or hx-on attribute, javascript: URL or inline style."""
    assert len(_templates()) > 50
    comments = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)
    found = {
        str(path.relative_to(ROOT)): inline_code(comments.sub("", path.read_text(encoding="utf-8")))
        for path in _templates()
    }
    assert not {name: f for name, f in found.items() if f}


def test_no_python_writes_inline_script_handlers_or_styles():
    """Template tags, widgets, admin customisations: HTML written in Python follows the
    same rule."""
    pattern = re.compile(
        r"""(<script(?![^>]*\bsrc=)[^>]*>|<style\b|\bstyle=|\bon[a-z]+=['"]|"""
        r"""\bhx-on|javascript:)""",
        re.IGNORECASE,
    )
    offenders = []
    for folder in ("opsdesk", "stores", "inventory", "sales", "customers", "staff"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders


def test_htmx_evaluates_no_code_and_injects_no_style(db, client):
    html = client.get("/accounts/login/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config, "base.html configures htmx"
    assert json.loads(config.group(1)) == {
        "allowEval": False,
        "includeIndicatorStyles": False,
        "allowScriptTags": False,
    }


# --- The violation report endpoint -------------------------------------------------

REPORT = {
    "csp-report": {
        "document-uri": "https://opsdesk.example/stores/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "https://opsdesk.example/stores/",
        "line-number": 12,
        "disposition": "enforce",
    }
}


@pytest.fixture
def reports(client, caplog):
    cache.clear()
    caplog.set_level(logging.WARNING, logger="opsdesk.csp")

    def post(body, content_type="application/csp-report", **extra):
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        return client.post(reverse("csp-report"), body, content_type=content_type, **extra)

    post.logged = lambda: [r.getMessage() for r in caplog.records if r.name == "opsdesk.csp"]
    yield post
    cache.clear()


def test_a_report_is_logged(db, reports):
    response = reports(REPORT)
    assert response.status_code == 204
    (line,) = reports.logged()
    assert "document-uri=https://opsdesk.example/stores/" in line
    assert "effective-directive=script-src-elem" in line
    assert "blocked-uri=inline" in line


def test_a_reporting_api_batch_is_logged(db, reports):
    body = [
        {
            "type": "csp-violation",
            "body": {"documentURL": "https://x/a/", "effectiveDirective": "style-src-attr"},
        },
        {"type": "deprecation", "body": {"id": "x"}},
    ]
    assert reports(body, content_type="application/reports+json").status_code == 204
    (line,) = reports.logged()
    assert "document-uri=https://x/a/" in line and "style-src-attr" in line


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[" * 5000 + b"]" * 5000,  # deeper than the parser goes
        json.dumps({"csp-report": "a string"}),
        json.dumps({"something": "else"}),
        json.dumps([1, 2, 3]),
        json.dumps(12),
    ],
)
def test_junk_is_a_400_never_a_500(db, reports, body):
    assert reports(body).status_code == 400
    assert reports.logged() == []


def test_a_large_body_is_refused_unread(db, reports):
    big = {"csp-report": {**REPORT["csp-report"], "script-sample": "x" * 20_000}}
    assert reports(big).status_code == 413
    assert reports.logged() == []


def test_a_forged_line_cannot_forge_or_flood_the_log(db, reports):
    forged = {"csp-report": {"document-uri": "https://x/\nCSP violation: fake " + "y" * 1000}}
    assert reports(forged).status_code == 204
    (line,) = reports.logged()
    assert "\n" not in line and len(line) < 400


def test_reports_are_rate_limited_per_address(db, reports, settings):
    settings.OPSDESK_CSP_REPORTS_PER_MINUTE = 3
    statuses = [reports(REPORT).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert len(reports.logged()) == 3
    # Another address has its own allowance.
    assert reports(REPORT, REMOTE_ADDR="10.0.0.9").status_code == 204


def test_only_post(db, client):
    assert client.get(reverse("csp-report")).status_code == 405
