"""The staff KPIs against values computed by hand on small scenarios: no shifts, zero
sales, store-local dates, a shift across midnight, drafts, a store opened mid-period,
training due dates, bounded queries and roll-ups as ratios of sums."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis
from opsdesk.analytics.kpis.models import KpiFact
from opsdesk.analytics.kpis.selectors import kpi_rollup
from opsdesk.analytics.reports import exports
from opsdesk.platform.roles import Role
from sales.models import DailySales
from staff.models import Course, TrainingAssignment
from staff.rules import SCHEDULE_READERS
from stores.models import Store

from .conftest import day, make_employee, make_store, put_shift

pytestmark = pytest.mark.django_db
D = Decimal
CODES = ["sales_per_labor_hour", "labor_cost_pct", "training_completion_rate"]


def _facts(code, date):
    return {
        f.store.code: (f.numerator, f.denominator, f.value)
        for f in KpiFact.objects.filter(code=code, business_date=date).select_related("store")
    }


def _sales(store, date, amount):
    DailySales.objects.create(store=store, business_date=date, net_sales=D(amount), transactions=1)


def test_the_staff_kpis_are_registered():
    spl = registry.get("sales_per_labor_hour")
    assert spl.unit == "money" and spl.higher_is_better
    cost = registry.get("labor_cost_pct")
    assert cost.scale == 100 and not cost.higher_is_better
    assert registry.get("training_completion_rate").scale == 100


def test_labor_kpis_by_hand(world):
    w = world
    monday = day(0)
    # SH1: Ann 09:00–17:00 with a 60 min break (7 h at 30 = 210), Bob 22:00–06:00 across
    # midnight (8 h at 20 = 160) -> 15 h, cost 370; sales 3,000.
    put_shift(w.ann, w.sh1, monday, "09:00", "17:00", break_minutes=60, published=True)
    put_shift(w.bob, w.sh1, monday, "22:00", "06:00")
    _sales(w.sh1, monday, "3000")
    # SH2: Dan 10:00–14:00 (4 h at 30 = 120), no sales at all.
    put_shift(w.dan, w.sh2, monday, "10:00", "14:00", published=True)
    # BE1: sales but no shift: no row. A draft shift does not count.
    _sales(w.be1, monday, "500")
    put_shift(w.eve, w.be1, monday, "09:00", "17:00", published=False)
    compute_kpis(business_date=monday, codes=CODES)
    assert _facts("sales_per_labor_hour", monday) == {
        "SH1": (D("3000"), D("15"), D("200.000000")),
        "SH2": (D("0"), D("4"), D("0.000000")),
    }
    assert _facts("labor_cost_pct", monday) == {
        "SH1": (D("370"), D("3000"), D("12.333333")),
        "SH2": (D("120"), D("0"), None),  # cost with no sales: no value
    }
    # The night shift belongs to Monday: Tuesday has nothing.
    compute_kpis(business_date=day(1), codes=CODES)
    assert _facts("sales_per_labor_hour", day(1)) == {}


def test_store_local_dates(world):
    """A shift and sales dated by the store's clock: 23:30 UTC on Sunday is already
    Monday 07:30 in Shanghai, so both count for Monday."""
    w = world
    shift = put_shift(w.ann, w.sh1, day(0), "07:30", "11:30", published=True)
    assert shift.start_at.date() == day(-1)  # UTC date: Sunday
    _sales(w.sh1, day(0), "400")
    compute_kpis(business_date=day(0), codes=["sales_per_labor_hour"])
    assert _facts("sales_per_labor_hour", day(0))["SH1"][:2] == (D("400"), D("4"))
    compute_kpis(business_date=day(-1), codes=["sales_per_labor_hour"])
    assert _facts("sales_per_labor_hour", day(-1)) == {}


def test_a_store_opened_mid_period_and_rollups_are_ratios_of_sums(world):
    w = world
    new = make_store("SH9", w.east)
    new.opening_date = day(1)
    new.save()
    fay = make_employee("Fay", new, rate="10")
    for n in range(2):
        put_shift(w.ann, w.sh1, day(n), "09:00", "19:00", published=True)  # 10 h
        _sales(w.sh1, day(n), "1000")
        put_shift(fay, new, day(n), "09:00", "11:00", published=True)  # 2 h
        _sales(new, day(n), "1000")
    for n in range(2):
        compute_kpis(business_date=day(n), codes=CODES)
    # Monday: SH9 had not opened yet, so it has no fact that day.
    assert set(_facts("sales_per_labor_hour", day(0))) == {"SH1"}
    rows = kpi_rollup(
        user=w.head, code="sales_per_labor_hour", start=day(0), end=day(1), group="region"
    )
    east = next(r for r in rows if r["key"] == w.east.pk)
    # Σ sales ÷ Σ hours = (1000 + 1000 + 1000) / (10 + 10 + 2) = 136.36, not the mean of
    # the store-days' ratios (100, 100, 500).
    assert (east["numerator"], east["denominator"]) == (D("3000"), D("22"))
    assert east["value"].quantize(D("0.01")) == D("136.36")


def test_training_completion_by_hand(world):
    w = world
    course = Course.objects.create(code="safety", name="Safety", due_days=7)
    other = Course.objects.create(code="tills", name="Tills", due_days=7)
    due = day(2)
    tz_midnight = datetime.datetime(2026, 3, 4, 16, 0, tzinfo=datetime.UTC)  # 00:00 Thu SH

    def assign(employee, course_, completed_at=None, status="assigned", due_date=due):
        return TrainingAssignment.objects.create(
            employee=employee,
            course=course_,
            due_date=due_date,
            status="completed" if completed_at else status,
            completed_at=completed_at,
        )

    # SH1, due Wednesday: Ann on time (23:59 local on the due date), Bob a minute late
    # (00:00 Thursday local), Cat not done; a cancelled one does not count.
    assign(w.ann, course, tz_midnight - datetime.timedelta(minutes=1))
    assign(w.bob, course, tz_midnight)
    assign(w.cat, course)
    assign(w.cat, other, status="cancelled")
    # SH2: Dan completed early (a week before); BE1: nothing due that day.
    assign(w.dan, course, datetime.datetime(2026, 2, 25, 3, 0, tzinfo=datetime.UTC))
    assign(w.eve, course, due_date=day(3))
    compute_kpis(business_date=due, codes=["training_completion_rate"])
    assert _facts("training_completion_rate", due) == {
        "SH1": (D("1"), D("3"), D("33.333333")),
        "SH2": (D("1"), D("1"), D("100.000000")),
    }
    # Re-running the date gives identical rows.
    compute_kpis(business_date=due, codes=["training_completion_rate"])
    assert KpiFact.objects.filter(code="training_completion_rate", business_date=due).count() == 2


def test_queries_are_bounded_whatever_the_number_of_stores(world):
    w = world

    def count():
        store_ids = list(Store.objects.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as queries:
            for code in CODES:
                registry.get(code).compute(day(0), store_ids)
        return len(queries)

    few = count()
    for n in range(6):
        store = make_store(f"X{n}", w.east)
        person = make_employee(f"P{n}", store)
        put_shift(person, store, day(0), "09:00", "17:00", published=True)
        _sales(store, day(0), "100")
        TrainingAssignment.objects.create(
            employee=person,
            course=Course.objects.get_or_create(code="c", defaults={"name": "C"})[0],
            due_date=day(0),
        )
    assert count() == few <= 6


# --- Who reads labor_cost_pct: its numerator is the wage cost -------------------------


@pytest.fixture
def labor_facts(world):
    """SH1's staff KPIs of Monday (Ann's shift, 3,000 of sales), as the job computes them."""
    w = world
    put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", break_minutes=60, published=True)
    _sales(w.sh1, day(0), "3000")
    compute_kpis(business_date=day(0), codes=CODES)
    assert set(_facts("labor_cost_pct", day(0))) == {"SH1"}
    return w


def _api_codes(api, url, **params):
    response = api.get(url, {"start": day(0), "end": day(0), **params})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["code"] for row in rows}


def test_labor_cost_is_for_the_schedule_readers_only(labor_facts):
    cost = registry.get("labor_cost_pct")
    assert cost.readers == SCHEDULE_READERS and Role.STORE_STAFF not in cost.readers
    w = labor_facts
    assert "labor_cost_pct" not in registry.kpi_codes_for(w.ann_user)
    assert "sales_per_labor_hour" in registry.kpi_codes_for(w.ann_user)
    for user in (w.manager, w.regional, w.head):
        assert "labor_cost_pct" in registry.kpi_codes_for(user)
    with pytest.raises(KeyError):
        kpi_rollup(user=w.ann_user, code="labor_cost_pct", start=day(0), end=day(0))
    assert kpi_rollup(user=w.manager, code="labor_cost_pct", start=day(0), end=day(0))


def test_store_staff_get_no_labor_cost_from_the_api(labor_facts, api_as):
    w = labor_facts
    values, rollups = reverse("kpis-api:value-list"), reverse("kpis-api:rollup-list")
    definitions = reverse("kpis-api:definition-list")
    staff = api_as(w.ann_user)
    for url in (values, rollups):
        codes = _api_codes(staff, url)
        assert "sales_per_labor_hour" in codes and "labor_cost_pct" not in codes
        # Asked for by name it is refused like a store outside their scope.
        response = staff.get(url, {"code": "labor_cost_pct"})
        assert response.status_code == 404 and response.json() == {"detail": "No such KPI."}
        assert staff.get(url, {"code": "no_such_kpi"}).status_code == 400
    assert "labor_cost_pct" not in {d["code"] for d in staff.get(definitions).json()}
    for user in (w.manager, w.regional):
        api = api_as(user)
        for url in (values, rollups):
            assert "labor_cost_pct" in _api_codes(api, url)
            assert _api_codes(api, url, code="labor_cost_pct") == {"labor_cost_pct"}
        assert "labor_cost_pct" in {d["code"] for d in api.get(definitions).json()}


def test_store_staff_see_no_labor_cost_on_the_dashboards(labor_facts, client):
    w = labor_facts
    query = {"period": "month", "month": "2026-03"}
    store_page = reverse("dashboards:store", args=[w.sh1.pk])
    kpi_page = reverse("dashboards:store_kpi", args=[w.sh1.pk, "labor_cost_pct"])
    client.force_login(w.ann_user)
    html = client.get(store_page, query).content.decode()
    assert "Sales per labor hour" in html and "Labor cost %" not in html
    assert kpi_page not in html
    assert client.get(kpi_page, query).status_code == 404
    assert client.get(kpi_page.replace("labor_cost_pct", "nope"), query).status_code == 404
    client.force_login(w.manager)
    assert "Labor cost %" in client.get(store_page, query).content.decode()
    assert client.get(kpi_page, query).status_code == 200
    client.force_login(w.regional)
    region_page = client.get(reverse("dashboards:region", args=[w.east.pk]), query)
    assert "Labor cost %" in region_page.content.decode()


def test_store_staff_export_no_labor_cost(labor_facts):
    w = labor_facts
    params = {"period": "month", "month": "2026-03"}

    def codes(user):
        return {row[3] for row in exports.prepare("kpi_table", "csv", user, params).rows()}

    staff = codes(w.ann_user)
    assert "sales_per_labor_hour" in staff and "labor_cost_pct" not in staff
    assert "labor_cost_pct" in codes(w.manager) and "labor_cost_pct" in codes(w.regional)
