"""Dashboard pages for every role, scope refusals, parameters, Chart.js from our static
files, drill-down links and query counts that do not grow with the number of stores."""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opsdesk.analytics.kpis.models import KpiThreshold
from stores.models import Region, Store

from .conftest import DOWN, UP, add_fact, mark_computed

pytestmark = pytest.mark.django_db

REGIONAL_ROLES = {"regional", "headoffice", "admin"}


def _login(client, demo, username):
    client.force_login(demo.user(username))
    return client


@pytest.mark.parametrize("name", ["index", "chain", "out_of_band"])
def test_anonymous_goes_to_login(client, demo, name):
    response = client.get(reverse(f"dashboards:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["headoffice", "regional", "manager", "staff", "admin"])
def test_index_lists_what_the_role_may_open(client, demo, username):
    response = _login(client, demo, username).get(reverse("dashboards:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (reverse("dashboards:chain") in html) == (username in ("headoffice", "admin"))
    shown = set(re.findall(r'data-store-code="([^"]+)"', html))
    visible = set(
        Store.objects.visible_to(demo.user(username))
        .exclude(status=Store.Status.PLANNED)
        .values_list("code", flat=True)
    )
    assert shown == visible
    assert bool(re.search(r"data-region-code", html)) == (username in REGIONAL_ROLES)


@pytest.mark.parametrize("username", ["manager", "staff"])
def test_store_roles_may_not_open_region_or_chain(client, demo, username):
    _login(client, demo, username)
    region = Store.objects.get(code="SH001").region
    assert client.get(reverse("dashboards:region", args=[region.pk])).status_code == 403
    assert client.get(reverse("dashboards:chain")).status_code == 403


def test_regional_may_not_open_chain_nor_other_regions(client, demo):
    _login(client, demo, "regional")
    assert client.get(reverse("dashboards:chain")).status_code == 403
    mine = Region.objects.visible_to(demo.user("regional"))
    other = Region.objects.exclude(pk__in=mine.values("pk")).first()
    assert client.get(reverse("dashboards:region", args=[other.pk])).status_code == 404
    assert client.get(reverse("dashboards:region", args=[10**9])).status_code == 404
    for store in Store.objects.filter(region=other):
        assert client.get(reverse("dashboards:store", args=[store.pk])).status_code == 404
        url = reverse("dashboards:store_kpi", args=[store.pk, "checklist_compliance"])
        assert client.get(url).status_code == 404


def test_manager_sees_only_their_store(client, demo):
    _login(client, demo, "manager")
    mine = Store.objects.visible_to(demo.user("manager"))
    for store in Store.objects.all():
        status = client.get(reverse("dashboards:store", args=[store.pk])).status_code
        assert status == (200 if mine.filter(pk=store.pk).exists() else 404)


def test_store_dashboard(client, demo, facts):
    store = Store.objects.get(code="SH001")
    response = _login(client, demo, "manager").get(reverse("dashboards:store", args=[store.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for testid in (
        "sales-today",
        "checklists-today",
        "shifts-today",
        "low-stock",
        "open-complaints",
        "kpi-tiles",
    ):
        assert f'data-testid="{testid}"' in html
    # The open complaints tile: how many, how many past an SLA due time, the oldest ones
    # (the shifts tile is tested in tests/staff).
    from customers.models import Complaint

    open_ = Complaint.objects.filter(store=store, status__in=["new", "in_progress"])
    assert response.context["today"].complaints.count == open_.count()
    assert reverse("customers:complaint_detail", args=[open_.order_by("received_at")[0].pk]) in html
    tiles = re.findall(r'data-kpi="([^"]+)" data-rag="([^"]*)" data-testid="kpi-tile"', html)
    assert {code for code, _r in tiles} >= {UP.code, DOWN.code, "checklist_compliance"}
    rag = dict(tiles)
    assert rag[UP.code] in {"red", "amber", "green"} and rag["checklist_compliance"] == ""
    assert "Data as of" in html
    kpi_url = reverse("dashboards:store_kpi", args=[store.pk, UP.code])
    assert kpi_url in html


def test_store_kpi_detail_lists_the_days_and_the_records(client, demo, facts):
    store = Store.objects.get(code="SH001")
    _login(client, demo, "manager")
    response = client.get(reverse("dashboards:store_kpi", args=[store.pk, UP.code]) + "?period=7d")
    assert response.status_code == 200
    days = response.context["days"]
    assert [f.business_date for f, _r in days] == facts["days"]
    url = reverse("dashboards:store_kpi", args=[store.pk, "corrective_actions_overdue"])
    response = client.get(url)
    records = response.context["records"][1]
    assert records.startswith(reverse("checklists:action_list"))
    assert f"store={store.pk}" in records and "overdue=true" in records
    assert client.get(records).status_code == 200
    response = client.get(reverse("dashboards:store_kpi", args=[store.pk, "checklist_compliance"]))
    assert response.status_code == 200
    assert all(r.store_id == store.pk and r.kind == "checklist" for r in response.context["runs"])
    assert (
        client.get(reverse("dashboards:store_kpi", args=[store.pk, "no_such_kpi"])).status_code
        == 404
    )


def test_region_dashboard(client, demo, facts):
    region = Region.objects.get(code="EC")
    response = _login(client, demo, "regional").get(
        reverse("dashboards:region", args=[region.pk]) + "?period=7d"
    )
    assert response.status_code == 200
    html = response.content.decode()
    rows = set(re.findall(r'<tr data-store-code="([^"]+)"', html))
    expected = set(
        Store.objects.filter(region=region)
        .exclude(status=Store.Status.PLANNED)
        .values_list("code", flat=True)
    )
    assert rows == expected
    assert 'data-testid="league-table"' in html and "kpi-trends" in html
    assert 'canvas data-trend="test_up_pct"' in html
    store = Store.objects.filter(region=region).order_by("code").first()
    assert reverse("dashboards:store", args=[store.pk]) + "?period=7d" in html
    # Each value of a store leads on to the records behind it.
    assert reverse("dashboards:store_kpi", args=[store.pk, UP.code]) + "?period=7d" in html
    table = response.context["table"]
    up = [k.code for k in table.kpis].index(UP.code)
    cell = next(r for r in table.rows if r.entity.pk == store.pk).cells[up]
    assert f'data-kpi="{UP.code}" data-rag="{cell.rag}"' in html


def test_chain_dashboard(client, demo, facts):
    response = _login(client, demo, "headoffice").get(reverse("dashboards:chain"))
    assert response.status_code == 200
    html = response.content.decode()
    assert set(re.findall(r'<tr data-region-code="([^"]+)"', html)) == set(
        Region.objects.values_list("code", flat=True)
    )
    total = response.context["table"].total
    up = next(c for c in total.cells if c.kpi.code == UP.code)
    n = len(facts["stores"])
    assert up.denominator == 20 * n


@pytest.mark.parametrize(
    "query",
    [
        "?period=year",
        "?period=month&month=2026-13",
        "?month=2026-1",
        "?period=month&month=%00",
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, demo, query):
    _login(client, demo, "headoffice")
    store = Store.objects.get(code="SH001")
    for url in (
        reverse("dashboards:chain"),
        reverse("dashboards:region", args=[store.region_id]),
        reverse("dashboards:store", args=[store.pk]),
        reverse("dashboards:store_kpi", args=[store.pk, "audit_score"]),
        reverse("dashboards:out_of_band"),
    ):
        response = client.get(url + query)
        assert response.status_code == 400, url
        assert response.context["errors"]
        assert 'data-testid="parameter-errors"' in response.content.decode()


def test_calendar_month_in_the_query_string(client, demo, facts):
    day = facts["days"][0]
    _login(client, demo, "headoffice")
    response = client.get(reverse("dashboards:chain") + f"?period=month&month={day:%Y-%m}")
    assert response.status_code == 200
    period = response.context["period"]
    assert period.start == day.replace(day=1) and period.month == day.replace(day=1)
    assert f"month={day:%Y-%m}" in response.context["period_query"]


def test_out_of_band_page(client, demo, facts):
    _login(client, demo, "regional")
    response = client.get(reverse("dashboards:out_of_band") + "?period=7d&level=red")
    assert response.status_code == 200
    visible = set(Store.objects.visible_to(demo.user("regional")).values_list("code", flat=True))
    shown = set(re.findall(r'data-store-code="([^"]+)" data-rag="red"', response.content.decode()))
    assert shown and shown <= visible
    assert 'data-rag="amber"' not in response.content.decode()
    # Filters by code; another region's store is refused like an unknown one.
    other = Store.objects.exclude(code__in=visible).first()
    for query in (f"?store={other.code}", "?region=ZZ", "?level=blue"):
        response = client.get(reverse("dashboards:out_of_band") + query)
        assert response.status_code == 400
    store = sorted(visible)[0]
    response = client.get(reverse("dashboards:out_of_band") + f"?period=7d&store={store}")
    assert response.status_code == 200
    codes = set(re.findall(r'data-store-code="([^"]+)" data-rag', response.content.decode()))
    assert codes <= {store}


def test_chartjs_comes_from_our_static_files(client, demo, facts):
    response = _login(client, demo, "headoffice").get(reverse("dashboards:chain"))
    html = response.content.decode()
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    chart = next(s for s in sources if s.endswith("chart.umd.js"))
    assert chart.startswith("/static/vendor/chartjs/")
    found = finders.find("vendor/chartjs/chart.umd.js")
    assert found, "run `make install`: it puts Chart.js from npm into static/vendor/"
    # Served by the static files app as runserver (make run) does; the browser test loads
    # it from the live server and draws a chart with it.
    served = serve(RequestFactory().get(chart), chart.removeprefix("/static/"), insecure=True)
    assert served.status_code == 200
    body = b"".join(served.streaming_content)
    assert b"Chart.js v4" in body[:500]


def test_export_links_follow_the_reports_route(client, demo, facts):
    _login(client, demo, "regional")
    region = Region.objects.get(code="EC")
    response = client.get(reverse("dashboards:region", args=[region.pk]) + "?period=mtd")
    export = reverse("reports:export")
    links = dict(response.context["exports"])
    assert set(links) == {"CSV", "XLSX"}
    assert links["XLSX"].startswith(export + "?")
    period = response.context["period"]
    for part in (
        "dataset=kpi_table",
        "format=xlsx",
        f"start={period.start}",
        f"end={period.end}",
        "region=EC",
        "group=store",
    ):
        assert part in links["XLSX"]
    assert 'data-testid="export-xlsx"' in response.content.decode()
    download = client.get(links["CSV"])
    assert download.status_code == 200, download.content[:300]
    csv_text = b"".join(download.streaming_content).decode("utf-8-sig")
    mine = set(Store.objects.filter(region=region).values_list("code", flat=True))
    others = set(Store.objects.exclude(region=region).values_list("code", flat=True))
    assert any(code in csv_text for code in mine)
    assert not any(code in csv_text for code in others)  # the region's stores only


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow_chain(region, extra):
    """``extra`` more stores in ``region`` with facts for both test KPIs."""
    days = None
    stores = []
    for i in range(extra):
        store = Store.objects.create(
            code=f"{region.code}{i:03d}",
            name=f"Query {i}",
            region=region,
            time_zone="Asia/Shanghai",
        )
        stores.append(store)
    day = stores[0].business_date()
    days = [day]
    for store in stores:
        add_fact(store, day, UP, 3, 10)
        add_fact(store, day, DOWN, 5, 2)
    mark_computed(stores, day)
    return stores, days


def test_query_counts_do_not_grow_with_stores(client, demo, facts):
    headoffice = demo.user("headoffice")
    client.force_login(headoffice)
    lonely = Region.objects.create(code="QQ", name="One store")
    first, _days = _grow_chain(lonely, 1)
    big = Region.objects.get(code="EC")
    one = _count(client, reverse("dashboards:region", args=[lonely.pk]))
    many = _count(client, reverse("dashboards:region", args=[big.pk]))
    assert one == many
    store_one = _count(client, reverse("dashboards:store", args=[first[0].pk]))
    chain_before = _count(client, reverse("dashboards:chain"))
    oob_before = _count(client, reverse("dashboards:out_of_band"))
    index_before = _count(client, reverse("dashboards:index"))
    _grow_chain(Region.objects.create(code="QR", name="More"), 8)
    assert _count(client, reverse("dashboards:region", args=[lonely.pk])) == one
    assert _count(client, reverse("dashboards:chain")) == chain_before
    assert _count(client, reverse("dashboards:out_of_band")) == oob_before
    assert _count(client, reverse("dashboards:index")) == index_before
    assert _count(client, reverse("dashboards:store", args=[first[0].pk])) == store_one


def test_thresholds_colour_the_pages(client, demo, facts):
    """Changing the bands changes the colours (one RAG function everywhere)."""
    _login(client, demo, "headoffice")
    KpiThreshold.objects.filter(code=UP.code).update(green=Decimal(0), amber=Decimal(0))
    response = client.get(reverse("dashboards:chain") + "?period=7d")
    total = next(c for c in response.context["table"].total.cells if c.kpi.code == UP.code)
    assert total.rag == "green"
    KpiThreshold.objects.filter(code=UP.code).update(green=Decimal(100), amber=Decimal(99))
    response = client.get(reverse("dashboards:chain") + "?period=7d")
    total = next(c for c in response.context["table"].total.cells if c.kpi.code == UP.code)
    assert total.rag == "red"


def test_shareable_addresses_by_code(client, demo):
    _login(client, demo, "regional")
    url = reverse("dashboards:index")
    store = Store.objects.visible_to(demo.user("regional")).order_by("code").first()
    response = client.get(url + f"?store={store.code}&period=month&month=2026-10")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("dashboards:store", args=[store.pk]) + "?period=month&month=2026-10"
    )
    region = store.region
    response = client.get(url + f"?region={region.code}&period=7d")
    assert response["Location"] == reverse("dashboards:region", args=[region.pk]) + "?period=7d"
    other = Store.objects.exclude(region=region).first()
    assert client.get(url + f"?store={other.code}").status_code == 400
    assert client.get(url + f"?region={other.region.code}").status_code == 400
    _login(client, demo, "manager")
    assert client.get(url + f"?region={region.code}").status_code == 403


def test_nav_links_the_dashboards(client, demo):
    for username in ("headoffice", "regional", "manager", "staff"):
        html = _login(client, demo, username).get(reverse("home")).content.decode()
        assert reverse("dashboards:index") in html
