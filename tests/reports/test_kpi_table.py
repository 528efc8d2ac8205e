"""kpi_table: stores × every registered KPI, equal to kpi_rollup (ratio of sums) and to
what the pages show; the dashboards' parameter contract."""

import datetime
from decimal import Decimal

import pytest
from django.forms import ValidationError as FormValidationError
from django.urls import reverse

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis import thresholds as kpi_thresholds
from opsdesk.analytics.kpis.models import KpiFact, KpiThreshold
from opsdesk.analytics.kpis.selectors import kpi_rollup
from opsdesk.analytics.reports import exports
from opsdesk.analytics.reports.datasets import ExportError
from opsdesk.analytics.reports.datasets.kpi_table import period_range
from sales import selectors as sales_selectors
from stores.models import Store
from tests.reports.conftest import body, csv_rows, xlsx_rows

START = datetime.date(2026, 2, 1)
DAYS = 5
CODES = ["checklist_compliance", "audit_score", "corrective_actions_overdue"]


@pytest.fixture
def demo(reports_chain, db):
    return reports_chain


@pytest.fixture
def facts(demo):
    """Hand-made facts: store i, day d -> numerator i + d, denominator d + 2 (so a
    ratio of sums differs from an average of ratios)."""
    KpiFact.objects.all().delete()
    rows = []
    for i, store in enumerate(Store.objects.order_by("pk"), start=1):
        for d in range(DAYS):
            for code in CODES:
                n, den = Decimal(i + d), Decimal(d + 2)
                rows.append(
                    KpiFact(
                        store=store,
                        business_date=START + datetime.timedelta(days=d),
                        code=code,
                        numerator=n,
                        denominator=den,
                        value=registry.get(code).value(n, den),
                    )
                )
    KpiFact.objects.bulk_create(rows)
    return rows


def _rows(user, **params):
    params = {
        "start": START.isoformat(),
        "end": (START + datetime.timedelta(DAYS - 1)).isoformat(),
        **params,
    }
    prepared = exports.prepare("kpi_table", "csv", user, params)
    return list(prepared.rows())


END = START + datetime.timedelta(days=DAYS - 1)


@pytest.mark.parametrize("group", ["store", "region", "chain"])
def test_values_equal_kpi_rollup(demo, facts, group):
    head = demo.user("headoffice")
    rows = _rows(head, group=group)
    for code in CODES:
        expected = kpi_rollup(user=head, code=code, start=START, end=END, group=group)
        got = [r for r in rows if r[3] == code and r[10] is not None]
        assert len(got) == len(expected)
        assert sorted((r[8], r[9], r[10]) for r in got) == sorted(
            (e["value"], e["numerator"], e["denominator"]) for e in expected
        )


def test_a_store_row_is_a_ratio_of_sums_by_hand(demo, facts):
    head = demo.user("headoffice")
    store = Store.objects.order_by("pk").first()  # i = 1
    rows = [r for r in _rows(head, store=store.code) if r[3] == "checklist_compliance"]
    (row,) = rows
    numerator = sum(Decimal(1 + d) for d in range(DAYS))  # 15
    denominator = sum(Decimal(d + 2) for d in range(DAYS))  # 20
    assert (row[1], row[9], row[10]) == (store.code, numerator, denominator)
    assert row[8] == Decimal("75.000000")  # 15 / 20 x 100
    assert (row[6], row[7]) == (START, END)


def test_every_store_has_a_row_for_every_kpi(demo, facts):
    KpiFact.objects.filter(store__code="SH001").delete()
    head = demo.user("headoffice")
    rows = _rows(head)
    assert len(rows) == Store.objects.count() * len(registry.all_kpis())
    blank = [r for r in rows if r[1] == "SH001"]
    assert blank and all(r[8:11] == (None, None, None) and r[11] == "" for r in blank)
    assert len(_rows(head, group="region")) == len(demo.regions) * len(registry.all_kpis())
    assert len(_rows(head, group="chain")) == len(registry.all_kpis())


def test_regional_ops_get_their_region_only(demo, facts):
    regional = demo.user("regional")
    own = {s.code for s in demo.stores_of_region(demo.regions[0])}
    rows = _rows(regional)
    assert {r[1] for r in rows} == own
    region_rows = _rows(regional, group="region")
    assert {r[0] for r in region_rows} == {demo.regions[0].code}


def test_region_and_store_filters_are_codes_in_scope(demo, facts):
    regional = demo.user("regional")
    other = demo.regions[1]
    with pytest.raises(ExportError, match="No such region"):
        _rows(regional, region=other.code)
    with pytest.raises(ExportError, match="No such store"):
        _rows(regional, store=demo.stores_of_region(other)[0].code)
    with pytest.raises(ExportError, match="not in that region"):
        _rows(
            demo.user("headoffice"),
            region=demo.regions[0].code,
            store=demo.stores_of_region(other)[0].code,
        )
    rows = _rows(demo.user("headoffice"), region=other.code)
    assert {r[0] for r in rows} == {other.code}


def test_rag_against_thresholds(demo, facts):
    KpiThreshold.objects.create(code="checklist_compliance", green=Decimal(80), amber=Decimal(70))
    KpiThreshold.objects.create(
        code="corrective_actions_overdue", green=Decimal(1), amber=Decimal(2)
    )
    bands = kpi_thresholds.bands()

    def rag(code, value):
        return kpi_thresholds.rag(value, bands.get(code), registry.get(code).higher_is_better)

    assert rag("checklist_compliance", Decimal(85)) == "green"
    assert rag("checklist_compliance", Decimal(75)) == "amber"
    assert rag("checklist_compliance", Decimal(60)) == "red"
    assert rag("corrective_actions_overdue", Decimal("0.5")) == "green"
    assert rag("corrective_actions_overdue", Decimal(3)) == "red"
    assert rag("audit_score", Decimal(3)) is None
    rows = _rows(demo.user("headoffice"))
    assert {r[11] for r in rows if r[3] == "checklist_compliance"} <= {"green", "amber", "red"}
    assert {r[11] for r in rows if r[3] == "audit_score"} == {""}
    # The export's colour is the dashboards' colour for the same value (one rule).
    for row in rows:
        if row[8] is not None:
            assert row[11] == (rag(row[3], row[8]) or ""), row


def test_periods():
    today = datetime.date(2026, 3, 10)
    assert period_range("7d", "", None, None, today=today) == (
        datetime.date(2026, 3, 3),
        datetime.date(2026, 3, 9),
    )
    assert period_range("30d", "", None, None, today=today) == (
        datetime.date(2026, 2, 8),
        datetime.date(2026, 3, 9),
    )
    assert period_range("mtd", "", None, None, today=today) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 9),
    )
    assert period_range("month", "2024-02", None, None, today=today) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 1, 3)
    assert period_range("", "", start, end, today=today) == (start, end)
    for bad in [("month", "", None, None), ("", "", None, end), ("", "", end, start)]:
        with pytest.raises(FormValidationError):
            period_range(*bad, today=today)
    with pytest.raises(FormValidationError):
        period_range("", "", datetime.date(2020, 1, 1), datetime.date(2026, 1, 1), today=today)


def test_the_dashboards_link_contract(demo, facts, client_as):
    """{% url 'reports:export' %}?dataset=kpi_table&format=xlsx&period=…&region=…&store=…"""
    region = demo.regions[0]
    store = demo.stores_of_region(region)[0]
    client = client_as(demo.user("headoffice"))
    response = client.get(
        reverse("reports:export"),
        {
            "dataset": "kpi_table",
            "format": "xlsx",
            "period": "month",
            "month": "2026-02",
            "region": region.code,
            "store": store.code,
        },
    )
    assert response.status_code == 200
    header, *rows = xlsx_rows(body(response))
    assert header[:4] == ("Region", "Store", "Name", "KPI")
    assert {r[1] for r in rows} == {store.code}
    # Every registered KPI has a row; those without facts are blank (not zero).
    assert [r[3] for r in rows] == sorted(k.code for k in registry.all_kpis())
    assert {r[3] for r in rows if r[10] is not None} == set(CODES)
    assert all(r[8] is None and r[11] is None for r in rows if r[3] not in CODES)
    value = next(r[8] for r in rows if r[3] == "checklist_compliance")
    expected = kpi_rollup(
        user=demo.user("headoffice"),
        code="checklist_compliance",
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 2, 28),
        store_ids=[store.pk],
    )[0]["value"]
    assert Decimal(str(value)) == expected
    for period in ("7d", "30d", "mtd"):
        response = client.get(
            reverse("reports:export"),
            {"dataset": "kpi_table", "format": "csv", "period": period, "region": region.code},
        )
        assert response.status_code == 200
    response = client.get(
        reverse("reports:export"),
        {"dataset": "kpi_table", "format": "csv", "period": "month", "month": "2026-13"},
    )
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_the_attainment_export_matches_the_numbers_on_screen(demo, client_as):
    """An export matches the numbers on screen: the sales attainment page's stores."""
    user = demo.user("regional")
    client = client_as(user)
    date = datetime.date.today()
    response = client.get(reverse("sales:attainment"), {"date": date.isoformat()})
    on_screen = {
        store.code: (figures.mtd_sales, figures.mtd_target, figures.attainment)
        for group in response.context["groups"]
        for store, figures in group.stores
    }
    export = client.get(
        reverse("reports:export"),
        {"dataset": "attainment", "format": "csv", "date": date.isoformat()},
    )
    header, *rows = csv_rows(body(export))

    def dec(value):
        return Decimal(value) if value else None

    exported = {
        r[header.index("Store")]: (
            dec(r[header.index("MTD net sales")]),
            dec(r[header.index("MTD target")]),
            dec(r[header.index("Attainment")]),
        )
        for r in rows
    }
    assert exported == on_screen
    assert set(on_screen) == {s.code for s in sales_selectors.attainment_list(user=user, date=date)}


def test_queries_do_not_depend_on_the_number_of_stores(demo, facts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    head = demo.user("headoffice")
    region = demo.regions[0]

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            rows = _rows(head, **params)
        return len({r[1] for r in rows}), len(captured)

    one_store, few = queries(store=demo.stores_of_region(region)[0].code)
    many_stores, many = queries(region=region.code)
    assert one_store == 1 < many_stores
    assert few == many
