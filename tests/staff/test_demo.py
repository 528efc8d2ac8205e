"""The staff part of seed_demo: complete, deterministic, consistent with the checks and the
demo's sales."""

import datetime
from collections import Counter
from decimal import Decimal

from django.db.models import Sum

from opsdesk.analytics.kpis.engine import compute_kpis
from opsdesk.analytics.kpis.models import KpiFact
from sales.models import DailySales
from staff import services, times
from staff.models import (
    Certification,
    Course,
    Employee,
    Schedule,
    Shift,
    StaffingRule,
    SwapRequest,
    TrainingAssignment,
)
from stores.models import Store
from tests.conftest import seed_test_chain

TODAY = datetime.date(2025, 3, 19)  # a Wednesday


def _snapshot():
    return (
        list(Employee.objects.order_by("pk").values_list("name", "position", "hourly_rate")),
        list(
            Shift.objects.order_by("pk").values_list(
                "employee__name", "business_date", "start_at", "paid_minutes"
            )
        ),
        list(TrainingAssignment.objects.order_by("pk").values_list("due_date", "status")),
    )


def test_seed_is_complete_and_passes_the_checks(db):
    chain = seed_test_chain(today=TODAY)
    trading = Store.objects.exclude(status=Store.Status.PLANNED)
    sizes = Counter(Employee.objects.values_list("home_store_id", flat=True))
    assert set(sizes) == set(trading.values_list("pk", flat=True))
    assert all(8 <= n <= 15 for n in sizes.values())
    # The demo users are people of their stores.
    sh1 = Store.objects.get(code="SH001")
    for username in ("manager", "staff", "manager-SH001"):
        assert Employee.objects.get(user=chain.user(username)).home_store == sh1
    assert Employee.objects.get(user=chain.user("manager-GZ002")).home_store.code == "GZ002"
    # History weeks and this week published, next week a draft, for every open store.
    this_week = times.week_start(TODAY)
    first = times.week_start(TODAY - datetime.timedelta(days=14))
    open_stores = Store.objects.filter(status=Store.Status.OPEN)
    for store in open_stores:
        weeks = dict(Schedule.objects.filter(store=store).values_list("week_start", "status"))
        assert weeks[first] == weeks[this_week] == "published"
        assert weeks[this_week + datetime.timedelta(days=7)] == "draft"
    assert StaffingRule.objects.count() == open_stores.count()
    # The week being worked and the draft of next week break no rule at the first store.
    for week in (this_week, this_week + datetime.timedelta(days=7)):
        schedule = Schedule.objects.get(store=sh1, week_start=week)
        assert [v.message for v in services.schedule_check(schedule=schedule)] == []
    # Swaps involving the demo user "staff", training in every state.
    staff = Employee.objects.get(user=chain.user("staff"))
    mine = SwapRequest.objects.filter(shift__store=sh1)
    assert {s.status for s in mine} == {"pending", "accepted"}
    assert all(staff.pk in (s.from_employee_id, s.to_employee_id) for s in mine)
    # What colleagues ask of "staff" is what they could take: two days, no rule broken.
    asked = [s for s in mine if s.to_employee_id == staff.pk]
    assert len(asked) == 2 and len({s.shift.business_date for s in asked}) == 2
    assert all(services.swap_errors(s.shift, to_employee_id=staff.pk) == [] for s in asked)
    # The person linked to a demo user carries the user's name.
    assert staff.name == chain.user("staff").get_full_name()
    statuses = Counter(TrainingAssignment.objects.values_list("status", flat=True))
    assert statuses["completed"] > statuses["assigned"] > 0
    assert Certification.objects.count() == statuses["completed"]
    assert Course.objects.filter(mandatory_for=[]).exists()  # an optional course too


def test_seed_is_deterministic(transactional_db):
    seed_test_chain(today=TODAY)
    first = _snapshot()
    seed_test_chain(today=TODAY, reset=True)
    assert _snapshot() == first


def test_labor_kpis_look_like_a_real_chains(db):
    seed_test_chain(today=TODAY)
    day = TODAY - datetime.timedelta(days=2)  # a Monday: every open store trades
    compute_kpis(business_date=day, codes=["labor_cost_pct", "sales_per_labor_hour"])
    cost = KpiFact.objects.filter(code="labor_cost_pct", business_date=day).aggregate(
        n=Sum("numerator"), d=Sum("denominator")
    )
    share = cost["n"] / cost["d"] * 100
    assert Decimal(6) < share < Decimal(25), share
    hours = KpiFact.objects.filter(code="sales_per_labor_hour", business_date=day)
    assert hours.count() == Store.objects.filter(status=Store.Status.OPEN).count()
    sales = DailySales.objects.filter(business_date=day).aggregate(t=Sum("net_sales"))["t"]
    assert hours.aggregate(t=Sum("numerator"))["t"] == sales
