"""The staff part of the demo chain (``seed_demo``): people, availability, leave, minimum
staffing, week schedules, swap requests, training courses, assignments and certificates.

- 8–15 people per trading store (a store manager, supervisors, cashiers, sales associates,
  stock clerks; the first eight full time at 40 h a week, the rest part time at 24 h,
  available Monday–Friday); the demo users ``manager`` / ``manager-<code>`` are linked to
  a manager of their store and ``staff`` to a cashier of the first store.
- Every open store needs at least 2 people on shift during its opening hours. Each day an
  early crew (from 30 minutes before opening, 8 h 30 with a 30-minute break) and a late
  crew (to 30 minutes after closing), 2 each on weekdays and 3 at weekends, drawn from two
  fixed teams so that everybody keeps 11 h of rest; full-timers work 5 shifts a week,
  part-timers 3 on weekdays. So the published weeks pass every check.
- Weeks from the first of the history to the current one are published; next week is a
  draft. Hourly costs follow each store's sales (a labor cost near 12 % of its average
  day's net sales), so the labor KPIs look like a real chain's.
- Courses with their mandatory positions; for each person and mandatory course one
  assignment due within the history or soon after: most completed on time (with their
  certificate), some late, some still overdue; a few certificates about to expire.

Deterministic per seed; written with ``bulk_create``: a few thousand rows for the default
chain.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from stores.models import OpeningHours, Store

from . import times
from .models import (
    Availability,
    Certification,
    ContractType,
    Course,
    Employee,
    Leave,
    Position,
    Schedule,
    Shift,
    StaffingRule,
    SwapRequest,
    TrainingAssignment,
)
from .services.schedules import labor_cost
from .services.swaps import swap_errors
from .services.training import add_months

D = Decimal
FIRST_NAMES = [
    "Wei", "Fang", "Li", "Min", "Jun", "Ying", "Hao", "Lei", "Mei", "Tao", "Xin", "Yan",
    "Bo", "Jie", "Lan", "Qiang", "Rui", "Shan", "Ting", "Yu",
]  # fmt: skip
LAST_NAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu"]
COURSES = [
    # code, name, name_zh, mandatory for, validity months, days to complete
    ("fire-safety", "Fire safety", "消防安全", list(Position.values), 12, 14),
    ("cash-handling", "Cash handling", "收银规范", ["cashier", "supervisor"], 24, 21),
    ("customer-service", "Customer service", "顾客服务", ["cashier", "sales_associate"], None, 30),
    ("manual-handling", "Manual handling", "搬运安全", ["stock_clerk"], 36, 21),
    ("store-leadership", "Store leadership", "门店管理", ["store_manager", "supervisor"], None, 60),
    ("first-aid", "First aid", "急救", [], 24, 30),
]
POSITION_RATE = {
    Position.STORE_MANAGER: D("1.6"),
    Position.SUPERVISOR: D("1.25"),
    Position.CASHIER: D("1.0"),
    Position.SALES_ASSOCIATE: D("1.0"),
    Position.STOCK_CLERK: D("0.95"),
}
LABOR_SHARE = D("0.12")
FULL_TIME, PART_TIME = 8, 3  # the first 8 are full time; weekday-only shifts a week
BREAK = 30
SHIFT = datetime.timedelta(hours=8, minutes=30)
EDGE = datetime.timedelta(minutes=30)


def _positions(count: int) -> list[str]:
    head = [Position.STORE_MANAGER, Position.SUPERVISOR, Position.STOCK_CLERK]
    rest = [Position.CASHIER, Position.SALES_ASSOCIATE, Position.CASHIER, Position.STOCK_CLERK]
    positions = list(head)
    while len(positions) < count:
        positions.append(rest[len(positions) % len(rest)])
    return positions


def _cent(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), ROUND_HALF_UP)


def seed_staff(
    *, chain, days: int, seed: int, today: datetime.date, average_sales: dict[int, Decimal]
) -> dict:
    """``average_sales``: each store's average day's net sales over the demo's days (from
    ``sales.demo.average_daily_sales``; staff does not read the sales domain)."""
    rng = random.Random(f"staff-{seed}")
    stores = [s for s in chain.stores if s.status != Store.Status.PLANNED]
    open_stores = [s for s in stores if s.status == Store.Status.OPEN]
    first_day = today - datetime.timedelta(days=days)
    sales = average_sales
    hours = defaultdict(dict)
    for row in OpeningHours.objects.filter(store__in=open_stores):
        hours[row.store_id][row.weekday] = row
    people = _people(chain, stores, rng, today, sales, hours)
    _availability_and_leave(people, rng, today, days)
    StaffingRule.objects.bulk_create(
        StaffingRule(store=store, weekday=None, min_staff=2) for store in open_stores
    )
    shifts = _schedules(chain, open_stores, people, hours, first_day, today)
    swaps = _swaps(chain, people, shifts, today)
    trained = _training(people, rng, today, days)
    return {
        "employees": sum(len(p) for p in people.values()),
        "shifts": len(shifts),
        "swaps": swaps,
        **trained,
    }


def _people(chain, stores, rng, today, sales, hours) -> dict[int, list[Employee]]:
    users = chain.users
    new = []
    for index, store in enumerate(stores):
        count = rng.randint(8, 15)
        # A labor cost near 12 % of the store's average day: 4 crews of 8 paid hours on
        # weekdays, 6 at weekends (36.6 h a day on average).
        day_hours = D("36.6")
        average = D(sales.get(store.pk) or 0)
        base = max(D("1"), _cent(average * LABOR_SHARE / day_hours)) if average else D("25")
        for n, position in enumerate(_positions(count)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            start = today - datetime.timedelta(days=rng.randint(200, 2000))
            if n == count - 1 and index % 3 == 0:
                start = today - datetime.timedelta(days=rng.randint(3, 10))  # a new hire
            full = n < FULL_TIME
            new.append(
                Employee(
                    home_store=store,
                    name=f"{last} {first}",
                    position=position,
                    contract_type=ContractType.FULL_TIME if full else ContractType.PART_TIME,
                    weekly_hours_max=D(40) if full else D(24),
                    hourly_rate=_cent(base * POSITION_RATE[position] * D(rng.uniform(0.9, 1.1))),
                    active_from=start,
                )
            )
    people = defaultdict(list)
    for employee in Employee.objects.bulk_create(new):
        people[employee.home_store_id].append(employee)
    # The demo users: each manager is their store's manager (the first store's second
    # manager its supervisor); "staff" a cashier of the first store.
    links = []
    first_store = stores[0]
    for store in stores:
        mine = people[store.pk]
        manager = users.get(f"manager-{store.code}")
        if store.pk == first_store.pk:
            links.append((mine[0], users["manager"]))
            links.append((mine[1], manager))
            cashier = next(e for e in mine if e.position == Position.CASHIER)
            links.append((cashier, users["staff"]))
        elif manager is not None:
            links.append((mine[0], manager))
    for employee, user in links:
        if user is not None:
            # The person is the user: the same name on "my shifts" as in the header.
            employee.user = user
            employee.name = user.get_full_name() or user.username
    Employee.objects.bulk_update([e for e, u in links if u is not None], ["user", "name"])
    return people


def _availability_and_leave(people, rng, today, days) -> None:
    ranges, leaves = [], []
    for index, (_store_id, mine) in enumerate(sorted(people.items())):
        for employee in mine:
            if employee.contract_type == ContractType.PART_TIME:
                ranges += [
                    Availability(
                        employee=employee,
                        weekday=w,
                        starts=datetime.time(6),
                        ends=datetime.time(0),
                    )
                    for w in range(5)
                ]
        # One holiday per store in the history, on someone of the early team.
        if days >= 7 and len(mine) > 4:
            start = today - datetime.timedelta(days=rng.randint(3, max(3, days - 4)))
            leaves.append(
                Leave(
                    employee=mine[2 + (index % 2) * 2],
                    start_date=start,
                    end_date=start + datetime.timedelta(days=2),
                    reason="Annual leave",
                )
            )
    Availability.objects.bulk_create(ranges)
    Leave.objects.bulk_create(leaves)


def _on_leave(leaves, employee_id, date) -> bool:
    return any(start <= date <= end for start, end in leaves.get(employee_id, ()))


def _schedules(chain, open_stores, people, hours, first_day, today) -> list[Shift]:
    leaves = defaultdict(list)
    for leave in Leave.objects.all():
        leaves[leave.employee_id].append((leave.start_date, leave.end_date))
    managers = {store.pk: chain.users.get(f"manager-{store.code}") for store in open_stores}
    this_week = times.week_start(today)
    weeks = []
    week = times.week_start(first_day)
    while week <= this_week + datetime.timedelta(days=7):
        weeks.append(week)
        week += datetime.timedelta(days=7)
    schedules = []
    for store in open_stores:
        tz = store.tz
        for week in weeks:
            published = week <= this_week
            publisher = managers.get(store.pk)
            schedules.append(
                Schedule(
                    store=store,
                    week_start=week,
                    status=Schedule.Status.PUBLISHED if published else Schedule.Status.DRAFT,
                    created_at=times.aware(week - datetime.timedelta(days=9), datetime.time(9), tz),
                    published_at=times.aware(
                        week - datetime.timedelta(days=4), datetime.time(10), tz
                    )
                    if published
                    else None,
                    published_by=publisher if published else None,
                )
            )
    schedules = Schedule.objects.bulk_create(schedules)
    shifts = []
    for schedule in schedules:
        store = next(s for s in open_stores if s.pk == schedule.store_id)
        mine = people[store.pk]
        teams = (mine[0::2], mine[1::2])
        load: dict[int, int] = defaultdict(int)
        for day in times.week_days(schedule.week_start):
            today_hours = hours[store.pk].get(day.weekday())
            if today_hours is None:
                continue
            opens, closes = times.span(day, today_hours.opens, today_hours.closes, store.tz)
            slots = ((opens - EDGE, opens - EDGE + SHIFT), (closes + EDGE - SHIFT, closes + EDGE))
            needed = 3 if day.weekday() >= 5 else 2
            for team, (start, end) in zip(teams, slots, strict=True):
                chosen = _crew(team, day, needed, load, leaves)
                for employee in chosen:
                    load[employee.pk] += 1
                    paid = int((end - start).total_seconds() // 60) - BREAK
                    shifts.append(
                        Shift(
                            schedule=schedule,
                            store=store,
                            employee=employee,
                            business_date=day,
                            start_at=start,
                            end_at=end,
                            break_minutes=BREAK,
                            paid_minutes=paid,
                            labor_cost=labor_cost(paid, employee.hourly_rate),
                            position=employee.position,
                            updated_at=schedule.created_at,
                        )
                    )
    return Shift.objects.bulk_create(shifts, batch_size=2000)


def _crew(team, day, needed, load, leaves) -> list[Employee]:
    """The ``needed`` people of a team working that day: active, not on leave, under
    their shifts of the week (part-timers on weekdays only), the least loaded first."""
    free = []
    for rank, employee in enumerate(team):
        full = employee.contract_type == ContractType.FULL_TIME
        if not employee.is_active_on(day) or _on_leave(leaves, employee.pk, day):
            continue
        if not full and day.weekday() >= 5:
            continue
        if load[employee.pk] >= (5 if full else PART_TIME):
            continue
        free.append((load[employee.pk], (rank + day.toordinal()) % 7, rank, employee))
    free.sort(key=lambda row: row[:3])
    return [row[3] for row in free[:needed]]


# How many colleagues' shifts the demo tries before it stops looking for two that the
# demo user "staff" could take (each try runs the week's checks).
MAX_SWAP_CANDIDATES = 40


def _swaps(chain, people, shifts, today) -> int:
    """At the first store, requests involving the demo user ``staff``: their open request,
    one asked of them, one they accepted and waiting for the manager; one open request at
    each other store."""
    staff_user = chain.users["staff"]
    by_employee = defaultdict(list)
    for shift in shifts:
        by_employee[shift.employee_id].append(shift)
    for mine in by_employee.values():
        mine.sort(key=lambda s: s.start_at)
    published = {s.pk for s in Schedule.objects.filter(status=Schedule.Status.PUBLISHED)}
    rows = []

    def upcoming(employee):
        """The person's next published shift (else their last one)."""
        theirs = [s for s in by_employee.get(employee.pk, []) if s.schedule_id in published]
        future = [s for s in theirs if s.business_date >= today]
        return (future or theirs[-1:] or [None])[0]

    for mine in people.values():
        me = next((e for e in mine if e.user_id == staff_user.pk), None)
        if me is not None:
            own = upcoming(me)
            if own is not None:
                rows.append(SwapRequest(shift=own, from_employee=me, note="Family dinner"))
            # Two colleagues ask "staff" to take a shift: one waiting for them, one they
            # accepted and the manager has still to approve. Only shifts they could take
            # (the checks of accepting and approving find no new error), as a colleague
            # would ask, and on two different days.
            taken = {getattr(own, "business_date", None)}
            candidates = sorted(
                (
                    (shift.start_at, shift.pk, other, shift)
                    for other in mine
                    if other.pk != me.pk
                    for shift in by_employee.get(other.pk, [])
                    if shift.schedule_id in published and shift.business_date >= today
                ),
                key=lambda c: c[:2],
            )
            asked = []
            for _start, _pk, other, shift in candidates[:MAX_SWAP_CANDIDATES]:
                if shift.business_date in taken or swap_errors(shift, to_employee_id=me.pk):
                    continue
                asked.append((other, shift))
                taken.add(shift.business_date)
                if len(asked) == 2:
                    break
            for (other, shift), accepted in zip(asked[:2], (False, True), strict=False):
                rows.append(
                    SwapRequest(
                        shift=shift,
                        from_employee=other,
                        to_employee=me,
                        note="Could you take this one?",
                        status=SwapRequest.Status.ACCEPTED
                        if accepted
                        else SwapRequest.Status.PENDING,
                        accepted_at=datetime.datetime.combine(today, datetime.time(1), datetime.UTC)
                        if accepted
                        else None,
                    )
                )
            continue
        shift = upcoming(mine[3]) if len(mine) > 3 else None
        if shift is not None:
            rows.append(SwapRequest(shift=shift, from_employee=mine[3]))
    SwapRequest.objects.bulk_create(rows)
    return len(rows)


def _training(people, rng, today, days) -> dict:
    courses = Course.objects.bulk_create(
        Course(
            code=code,
            name=name,
            name_zh=name_zh,
            mandatory_for=mandatory,
            validity_months=months,
            due_days=due,
        )
        for code, name, name_zh, mandatory, months, due in COURSES
    )
    window = max(days, 7)
    assignments, certified = [], []
    for mine in people.values():
        for employee in mine:
            for course in courses:
                if employee.position not in course.mandatory_for:
                    continue
                due = today + datetime.timedelta(days=rng.randint(-window, 20))
                due = max(due, employee.active_from + datetime.timedelta(days=course.due_days))
                assigned_at = datetime.datetime.combine(
                    due - datetime.timedelta(days=course.due_days), datetime.time(2), datetime.UTC
                )
                roll = rng.random()
                status, completed = TrainingAssignment.Status.ASSIGNED, None
                if due < today:
                    if roll < 0.85:
                        done_on = due - datetime.timedelta(days=rng.randint(0, course.due_days - 1))
                    elif roll < 0.93:
                        done_on = min(today, due + datetime.timedelta(days=rng.randint(1, 6)))
                    else:
                        done_on = None  # still overdue
                elif roll < 0.4:
                    done_on = today - datetime.timedelta(days=rng.randint(0, 5))
                else:
                    done_on = None
                if done_on is not None:
                    status = TrainingAssignment.Status.COMPLETED
                    completed = datetime.datetime.combine(
                        done_on, datetime.time(3, rng.randint(0, 59)), datetime.UTC
                    )
                assignment = TrainingAssignment(
                    employee=employee,
                    course=course,
                    status=status,
                    assigned_at=assigned_at,
                    due_date=due,
                    completed_at=completed,
                    reason="mandatory",
                )
                assignments.append(assignment)
                if done_on is not None:
                    certified.append((assignment, done_on))
    TrainingAssignment.objects.bulk_create(assignments, batch_size=2000)
    certificates = []
    for assignment, done_on in certified:
        months = assignment.course.validity_months
        expires = add_months(done_on, months) if months else None
        if expires is not None and rng.random() < 0.05:
            expires = today + datetime.timedelta(days=rng.randint(5, 25))  # renewal due soon
        certificates.append(
            Certification(
                employee=assignment.employee,
                course=assignment.course,
                assignment=assignment,
                issued_on=done_on,
                expires_on=expires,
            )
        )
    Certification.objects.bulk_create(certificates, batch_size=2000)
    return {"courses": len(courses), "assignments": len(assignments)}
