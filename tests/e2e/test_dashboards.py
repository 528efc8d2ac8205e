"""Regional ops opens the region dashboard: the league table and a drawn Chart.js chart
(served from our static files), drills down to one store's dashboard and on to the
records behind one number, and exports the league table as XLSX."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from opsdesk.analytics.kpis.engine import compute_kpis
from opsdesk.analytics.kpis.models import KpiThreshold
from stores.models import Region, Store

from .steps import log_in

pytestmark = pytest.mark.browser

CODES = ["checklist_compliance", "audit_score", "corrective_actions_overdue"]


def test_regional_drills_down_from_the_region_dashboard(live_demo, page):
    region = Region.objects.get(code="EC")
    stores = Store.objects.filter(region=region).exclude(status=Store.Status.PLANNED)
    last = max(s.business_date() for s in stores) - datetime.timedelta(days=1)
    for offset in range(5):
        compute_kpis(business_date=last - datetime.timedelta(days=offset), codes=CODES)
    KpiThreshold.objects.create(
        code="corrective_actions_overdue", green=Decimal(0), amber=Decimal(2)
    )

    chart_responses = []
    page.on(
        "response",
        lambda r: chart_responses.append(r) if r.url.endswith("chart.umd.js") else None,
    )
    log_in(page, "regional")
    page.goto(reverse("dashboards:index"))
    with page.expect_navigation():
        page.locator(f"a[data-region-code='{region.code}']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(region.code)

    league = page.get_by_test_id("league-table")
    expect(league.locator("tbody tr")).to_have_count(stores.count())
    expect(league.locator("thead th[data-kpi='corrective_actions_overdue']")).to_be_visible()
    canvas = page.locator("canvas[data-trend='corrective_actions_overdue']")
    expect(canvas).to_have_attribute("data-drawn", "true")
    assert page.evaluate("(c) => !!window.Chart.getChart(c)", canvas.element_handle())
    box = canvas.bounding_box()
    assert box["width"] > 50 and box["height"] > 50
    assert chart_responses and chart_responses[0].status == 200
    assert not re.match(r"https?://(?!127\.0\.0\.1|localhost)", chart_responses[0].url)
    region_url = page.url

    store = stores.order_by("code").first()
    with page.expect_navigation():
        league.locator(f"tr[data-store-code='{store.code}'] a[data-testid='drill-down']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(store.code)
    tile = page.locator("[data-testid='kpi-tile'][data-kpi='corrective_actions_overdue']")
    expect(tile).to_have_attribute("data-rag", re.compile("^(green|amber|red)$"))
    with page.expect_navigation():
        tile.get_by_test_id("kpi-value-link").click()
    expect(page.get_by_test_id("kpi-days").locator("tbody tr")).to_have_count(5)
    with page.expect_navigation():
        page.get_by_test_id("records-link").click()
    assert reverse("checklists:action_list") in page.url
    assert f"store={store.pk}" in page.url and "overdue=true" in page.url

    from openpyxl import load_workbook

    page.goto(region_url)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:  # a temporary name without ".xlsx"
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert store.code in text
    other = Store.objects.exclude(region=region).first()
    assert other.code not in text  # the export is the region's, in the user's scope
