"""The Content-Security-Policy (django-csp): the middleware that sends it on every
response, and the endpoint browsers report violations to. See docs/security.md."""

from __future__ import annotations

import json
import logging
import time

from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("opsdesk.csp")


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware: ``CONTENT_SECURITY_POLICY`` on every response, plus the
    path-scoped additions of ``OPSDESK_CSP_PATH_UPDATES`` ({path prefix: directives}),
    applied to HTML responses under that prefix only."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or not response.get("Content-Type", "").startswith("text/html"):
            return parts
        for prefix, directives in getattr(settings, "OPSDESK_CSP_PATH_UPDATES", {}).items():
            if request.path_info.startswith(prefix):
                update = dict(parts.update or {})
                for name, values in directives.items():
                    update[name] = [*update.get(name, []), *values]
                parts.update = update
        return parts


# A report is a few hundred bytes; anything much larger is not one.
REPORT_MAX_BYTES = 16 * 1024
# What one report may put in the log, per field.
_FIELD_MAX = 300
_FIELDS = (
    ("document-uri", "documentURL"),
    ("violated-directive", "effectiveDirective"),
    ("effective-directive", "effectiveDirective"),
    ("blocked-uri", "blockedURL"),
    ("source-file", "sourceFile"),
    ("line-number", "lineNumber"),
    ("script-sample", "sample"),
    ("disposition", "disposition"),
)


def _clean(value) -> str:
    """A report field as one short, printable line (the log cannot be forged or flooded)."""
    text = str(value)[:_FIELD_MAX]
    return "".join(c if c.isprintable() else "?" for c in text)


def _violations(data) -> list[dict]:
    """The violations of a report: the ``report-uri`` form ({"csp-report": {...}}) or the
    Reporting API's ([{"type": "csp-violation", "body": {...}}, ...])."""
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [
            item["body"]
            for item in data[:10]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def _over_rate(request: HttpRequest) -> bool:
    """More reports than ``OPSDESK_CSP_REPORTS_PER_MINUTE`` from this address this minute."""
    key = f"csp-report:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between the two calls
        count = 1
    return count > settings.OPSDESK_CSP_REPORTS_PER_MINUTE


@csrf_exempt  # browsers post reports without a token; nothing is written but a log line
@never_cache
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log the violations a browser reports (``report-uri``); 204, or 4xx for what is not a
    report: 413 too large, 400 not JSON or not a report, 429 too many from one address."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if declared > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(REPORT_MAX_BYTES + 1)
    if len(body) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        violations = _violations(json.loads(body))
    except (ValueError, RecursionError):
        return HttpResponse(status=400)
    if not violations:
        return HttpResponse(status=400)
    if _over_rate(request):
        return HttpResponse(status=429)
    for violation in violations:
        fields = {}
        for name, reporting_api_name in _FIELDS:
            value = violation.get(name, violation.get(reporting_api_name))
            if value not in (None, ""):
                fields.setdefault(name, _clean(value))
        logger.warning(
            "CSP violation: %s",
            " ".join(f"{name}={value}" for name, value in fields.items()),
            extra={"csp_report": fields},
        )
    return HttpResponse(status=204)
