"""The store dashboard's "today's shifts" tile (who is on now and later, hours, open
swaps) with its query count pinned, and the drill-down from the staff KPIs."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opsdesk.analytics.dashboards import drilldown
from opsdesk.analytics.kpis.periods import Period
from staff.models import Schedule, SwapRequest
from staff.selectors import shifts_today

from .conftest import make_employee, put_shift

pytestmark = pytest.mark.django_db


def test_shifts_today_sorts_on_now_later_and_done(world):
    w = world
    store = w.sh1
    today = store.business_date()
    put_shift(w.ann, store, today, "00:00", "12:00", published=True)
    put_shift(w.bob, store, today, "12:00", "23:59")

    def at(clock):
        now = datetime.datetime.combine(today, datetime.time.fromisoformat(clock), store.tz)
        got = shifts_today(user=w.manager, store=store, now=now)
        return [[s.employee.name for s in part] for part in (got.done, got.on_now, got.later)]

    assert at("06:00") == [[], ["Ann"], ["Bob"]]
    assert at("13:00") == [["Ann"], ["Bob"], []]
    assert shifts_today(user=w.manager, store=store).paid_minutes == 23 * 60 + 59
    # A draft week is not shown: it has not been communicated yet.
    Schedule.objects.update(status="draft")
    assert shifts_today(user=w.manager, store=store).count == 0


def test_the_tile_on_the_store_dashboard_with_constant_queries(client, world):
    w = world
    store = w.sh1
    client.force_login(w.manager)
    url = reverse("dashboards:store", args=[store.pk])
    today = store.business_date()
    first = put_shift(w.ann, store, today, "00:00", "23:59", published=True)
    SwapRequest.objects.create(shift=first, from_employee=w.ann)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    one, html = count()
    assert 'data-testid="shifts-today"' in html
    assert re.search(r'data-testid="on-now">\s*<li>Ann · 00:00–23:59', html)
    assert "1 open swap request" in html and "23.98 h scheduled" in html
    for i in range(8):
        person = make_employee(f"Extra {i}", store)
        shift = put_shift(person, store, today, "00:00", "23:59")
        SwapRequest.objects.create(shift=shift, from_employee=person)
    many, html = count()
    assert many == one
    assert "9 open swap requests" in html


def test_staff_kpis_drill_down_to_their_records(client, world):
    w = world
    period = Period(start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 8), key="7d")
    _label, url = drilldown.records_link("sales_per_labor_hour", w.sh1, period)
    assert url.startswith(reverse("staff:shift_list"))
    assert f"store={w.sh1.pk}" in url and "date_from=2026-03-02" in url
    assert "date_to=2026-03-08" in url and "status=published" in url
    assert drilldown.records_link("labor_cost_pct", w.sh1, period)[1] == url
    _label, training = drilldown.records_link("training_completion_rate", w.sh1, period)
    assert training.startswith(reverse("staff:assignment_list"))
    assert "due_from=2026-03-02" in training and "due_to=2026-03-08" in training
    client.force_login(w.manager)
    put_shift(w.ann, w.sh1, datetime.date(2026, 3, 3), "09:00", "17:00", published=True)
    response = client.get(url)
    assert response.status_code == 200
    assert len(re.findall(r'<tr data-shift="', response.content.decode())) == 1
    assert client.get(training).status_code == 200
