import datetime

import pytest

from stores.models import OpeningHours, Store
from stores.selectors import region_list, store_clock, store_get, store_list
from tests.conftest import seed_test_chain


def test_store_clock_uses_local_time_and_hours(demo):
    store = store_list(user=demo.user("headoffice")).get(code="SH001")  # Asia/Shanghai
    hours = {h.weekday: h for h in store.opening_hours.all()}
    # Monday 2026-03-02 03:00 UTC = 11:00 in Shanghai: open.
    monday_11 = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
    clock = store_clock(store, monday_11)
    assert clock.local_time.hour == 11
    assert clock.hours_today == hours[0]
    assert clock.is_open_now
    # 23:30 in Shanghai: closed.
    late = datetime.datetime(2026, 3, 2, 15, 30, tzinfo=datetime.UTC)
    assert not store_clock(store, late).is_open_now


def test_store_clock_closed_day_and_status(demo):
    store = Store.objects.get(code="SH001")
    OpeningHours.objects.filter(store=store, weekday=0).delete()
    store = store_list(user=demo.user("headoffice")).get(pk=store.pk)
    monday_11 = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
    clock = store_clock(store, monday_11)
    assert clock.hours_today is None and not clock.is_open_now
    renovating = store_list(user=demo.user("headoffice")).get(code="SH007")
    assert renovating.status == Store.Status.TEMPORARILY_CLOSED
    assert not store_clock(renovating, monday_11).is_open_now


def test_store_get_out_of_scope_is_404(demo):
    from django.http import Http404

    manager = demo.user("manager")
    assert store_get(user=manager, pk=Store.objects.get(code="SH001").pk).code == "SH001"
    with pytest.raises(Http404):
        store_get(user=manager, pk=Store.objects.get(code="GZ002").pk)


def test_region_store_count_only_counts_stores_in_scope(demo):
    counts = {r.code: r.store_count for r in region_list(user=demo.user("headoffice"))}
    assert counts == {"EC": 4, "SC": 4, "SEA": 4}
    assert {r.code: r.store_count for r in region_list(user=demo.user("manager"))} == {"EC": 1}
    assert {r.code: r.store_count for r in region_list(user=demo.user("regional"))} == {"EC": 4}


@pytest.mark.parametrize("stores", [3, 60])
def test_store_list_query_count_is_constant(stores, db, django_assert_num_queries):
    seed_test_chain(stores=stores)
    from django.contrib.auth import get_user_model

    head = get_user_model().objects.get(username="headoffice")
    with django_assert_num_queries(2):  # stores with their regions; opening hours
        rows = [(s.region.code, store_clock(s)) for s in store_list(user=head)]
    assert len(rows) == stores
