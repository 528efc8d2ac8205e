"""A small, hand-built world for the staff tests (no demo seeding: fast and exact).

Two Shanghai stores (SH1, SH2) in one region and a Berlin store (BE1, for DST) in
another; a manager of SH1, a manager of both SH stores, a head office user, regional ops
of the first region, and people: at SH1 Ann (staff account), Bob (staff account), Cat,
and at SH2 Dan. Every store opens 09:00–21:00 every day. Weeks used: 2026-03-02 (Mon).
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from opsdesk.platform.roles import Role
from staff.models import Employee, Schedule, Shift
from staff.services import labor_cost
from staff.times import aware
from stores.models import OpeningHours, Region, Store
from tests.checklists.conftest import make_user

User = get_user_model()
MONDAY = datetime.date(2026, 3, 2)
D = Decimal


def day(n: int) -> datetime.date:
    """The n-th day (0 = Monday) of the test week."""
    return MONDAY + datetime.timedelta(days=n)


def t(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def make_store(code, region, tz="Asia/Shanghai", opens="09:00", closes="21:00"):
    store = Store.objects.create(code=code, name=f"Store {code}", region=region, time_zone=tz)
    OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=d, opens=t(opens), closes=t(closes)) for d in range(7)
    )
    return store


def make_employee(name, store, *, user=None, hours="40", rate="30", position="cashier", **extra):
    return Employee.objects.create(
        home_store=store,
        user=user,
        name=name,
        position=position,
        weekly_hours_max=D(hours),
        hourly_rate=D(rate),
        active_from=extra.pop("active_from", datetime.date(2025, 1, 1)),
        **extra,
    )


def put_shift(employee, store, date, starts, ends, *, break_minutes=0, published=None):
    """A shift written directly (no checks), in the store's week schedule."""
    monday = date - datetime.timedelta(days=date.weekday())
    schedule, _ = Schedule.objects.get_or_create(store=store, week_start=monday)
    if published is not None:
        schedule.status = "published" if published else "draft"
        schedule.save()
    start_at = aware(date, t(starts), store.tz)
    end_date = date if t(ends) > t(starts) else date + datetime.timedelta(days=1)
    end_at = aware(end_date, t(ends), store.tz)
    paid = int((end_at - start_at).total_seconds() // 60) - break_minutes
    return Shift.objects.create(
        schedule=schedule,
        store=store,
        employee=employee,
        business_date=date,
        start_at=start_at,
        end_at=end_at,
        break_minutes=break_minutes,
        paid_minutes=paid,
        labor_cost=labor_cost(paid, employee.hourly_rate),
        position=employee.position,
    )


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.east = Region.objects.create(code="E", name="East")
    w.west = Region.objects.create(code="W", name="West")
    w.sh1 = make_store("SH1", w.east)
    w.sh2 = make_store("SH2", w.east)
    w.be1 = make_store("BE1", w.west, tz="Europe/Berlin")
    w.head = make_user("head", Role.HEAD_OFFICE)
    w.regional = make_user("reg", Role.REGIONAL_OPS, regions=[w.east])
    w.regional_west = make_user("regw", Role.REGIONAL_OPS, regions=[w.west])
    w.manager = make_user("mgr", Role.STORE_MANAGER, stores=[w.sh1])
    w.manager_both = make_user("mgr2", Role.STORE_MANAGER, stores=[w.sh1, w.sh2])
    w.manager_be = make_user("mgrbe", Role.STORE_MANAGER, stores=[w.be1])
    w.ann_user = make_user("ann", Role.STORE_STAFF, stores=[w.sh1])
    w.bob_user = make_user("bob", Role.STORE_STAFF, stores=[w.sh1])
    w.ann = make_employee("Ann", w.sh1, user=w.ann_user)
    w.bob = make_employee("Bob", w.sh1, user=w.bob_user, rate="20")
    w.cat = make_employee("Cat", w.sh1, rate="25")
    w.dan = make_employee("Dan", w.sh2)
    w.eve = make_employee("Eve", w.be1)
    return w
