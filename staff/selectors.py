"""Staff reads, scoped to the user, with their relations fetched here: a constant number
of queries whatever the number of people, shifts or stores."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from stores.models import OpeningHours, Store
from stores.selectors import store_local_today

from . import checks, times
from .models import (
    Availability,
    Certification,
    Course,
    Employee,
    Leave,
    Schedule,
    Shift,
    StaffingRule,
    SwapRequest,
    TrainingAssignment,
)

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)


# --- People --------------------------------------------------------------------------


def employee_list(*, user) -> QuerySet[Employee]:
    return (
        Employee.objects.visible_to(user)
        .select_related("home_store", "user")
        .order_by("home_store__code", "name", "pk")
    )


def employee_get(*, user, pk: int) -> Employee:
    return get_object_or_404(
        employee_list(user=user).prefetch_related(
            Prefetch("availability", queryset=Availability.objects.order_by("weekday", "starts")),
            Prefetch("leaves", queryset=Leave.objects.order_by("-start_date")),
            Prefetch(
                "certifications",
                queryset=Certification.objects.select_related("course").order_by("-issued_on"),
            ),
            Prefetch(
                "assignments",
                queryset=TrainingAssignment.objects.select_related("course").order_by(
                    "-due_date", "pk"
                ),
            ),
        ),
        pk=pk,
    )


def colleagues(*, employee: Employee, date: datetime.date) -> list[Employee]:
    """The other people of ``employee``'s home store active on ``date`` (one query)."""
    people = (
        Employee.objects.filter(home_store_id=employee.home_store_id, active_from__lte=date)
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=date))
        .exclude(pk=employee.pk)
        .order_by("name", "pk")
    )
    return list(people)


# --- Schedules and shifts --------------------------------------------------------------


def schedule_list(*, user) -> QuerySet[Schedule]:
    return (
        Schedule.objects.visible_to(user)
        .select_related("store", "published_by")
        .annotate(
            shift_count=Count("shifts"),
            paid_minutes=Coalesce(Sum("shifts__paid_minutes"), Value(0)),
            cost=Coalesce(Sum("shifts__labor_cost"), Value(ZERO), output_field=MONEY),
        )
        .order_by("-week_start", "store__code")
    )


def schedule_get(*, user, pk: int) -> Schedule:
    return get_object_or_404(schedule_list(user=user), pk=pk)


def shift_list(*, user) -> QuerySet[Shift]:
    """Shifts in scope (store staff: the published ones, ``ShiftQuerySet``)."""
    shifts = Shift.objects.visible_to(user).select_related("store", "employee", "schedule")
    return shifts.order_by("-business_date", "store__code", "start_at", "pk")


def shift_get(*, user, pk: int) -> Shift:
    return get_object_or_404(shift_list(user=user), pk=pk)


@dataclass
class WeekRow:
    employee: Employee
    days: list[list[Shift]]
    paid_minutes: int = 0
    cost: Decimal = ZERO

    @property
    def hours(self) -> str:
        return times.hours(self.paid_minutes)


@dataclass
class Week:
    store: Store
    week_start: datetime.date
    schedule: Schedule | None
    days: list[datetime.date]
    rows: list[WeekRow]
    day_minutes: list[int]
    violations: list[checks.Violation] = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    hours: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[checks.Violation]:
        return checks.errors(self.violations)

    @property
    def warnings(self) -> list[checks.Violation]:
        return [v for v in self.violations if not v.is_error]

    @property
    def total_minutes(self) -> int:
        return sum(self.day_minutes)

    @property
    def total_hours(self) -> str:
        return times.hours(self.total_minutes)

    @property
    def day_hours(self) -> list[str]:
        return [times.hours(m) for m in self.day_minutes]

    @property
    def violations_by_shift(self) -> dict[int, list[checks.Violation]]:
        found = defaultdict(list)
        for violation in self.violations:
            for pk in violation.shift_ids:
                found[pk].append(violation)
        return found


def schedule_week(*, user, store: Store, week_start: datetime.date, check: bool = True) -> Week:
    """A store's week as a grid (people × days) with the live checks. The store's active
    people come first, then anyone else with a shift there that week (a loan). A constant
    number of queries."""
    days = times.week_days(week_start)
    schedule = Schedule.objects.filter(store=store, week_start=week_start).first()
    shifts = []
    if schedule is not None:
        shifts = list(
            schedule.shifts.select_related("employee__home_store", "store").order_by(
                "start_at", "pk"
            )
        )
    people = {
        e.pk: e
        for e in Employee.objects.visible_to(user)
        .filter(home_store=store, active_from__lte=days[-1])
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=days[0]))
        .order_by("name", "pk")
    }
    for shift in shifts:
        people.setdefault(shift.employee_id, shift.employee)
    rows = {pk: WeekRow(employee=e, days=[[] for _d in days]) for pk, e in people.items()}
    day_minutes = [0] * 7
    for shift in shifts:
        index = (shift.business_date - week_start).days
        row = rows[shift.employee_id]
        row.days[index].append(shift)
        row.paid_minutes += shift.paid_minutes
        row.cost += shift.labor_cost
        day_minutes[index] += shift.paid_minutes
    violations = []
    if check and schedule is not None:
        schedule.store = store
        violations = checks.check(
            candidates=[checks.Planned.of(s) for s in shifts], schedule=schedule
        )
    rules = dict(StaffingRule.objects.filter(store=store).values_list("weekday", "min_staff"))
    hours = {h.weekday: h for h in OpeningHours.objects.filter(store=store)}
    return Week(
        store=store,
        week_start=week_start,
        schedule=schedule,
        days=days,
        rows=sorted(
            rows.values(),
            key=lambda r: (r.employee.home_store_id != store.pk, r.employee.name, r.employee.pk),
        ),
        day_minutes=day_minutes,
        violations=violations,
        rules=rules,
        hours=hours,
    )


def my_shifts(*, employee: Employee, since: datetime.date, days: int = 28) -> list[Shift]:
    """A person's published shifts from ``since`` for ``days`` days, with any open swap
    request of theirs (one query each)."""
    return list(
        Shift.objects.filter(
            employee=employee,
            schedule__status=Schedule.Status.PUBLISHED,
            business_date__gte=since,
            business_date__lt=since + datetime.timedelta(days=days),
        )
        .select_related("store")
        .prefetch_related(
            Prefetch(
                "swap_requests",
                queryset=SwapRequest.objects.filter(
                    status__in=SwapRequest.OPEN_STATUSES
                ).select_related("to_employee"),
                to_attr="open_swaps",
            )
        )
        .order_by("start_at")
    )


# --- Swaps -----------------------------------------------------------------------------


def swap_list(*, user) -> QuerySet[SwapRequest]:
    """Requests at the stores in scope; store staff see theirs, those asked of them and
    the open ones of their store still waiting for a colleague (``SwapRequestQuerySet``)."""
    swaps = SwapRequest.objects.visible_to(user).select_related(
        "shift__store", "from_employee", "to_employee", "decided_by"
    )
    return swaps.order_by("-created_at", "-pk")


def swap_get(*, user, pk: int) -> SwapRequest:
    return get_object_or_404(swap_list(user=user), pk=pk)


# --- Training --------------------------------------------------------------------------


def course_list(*, user) -> QuerySet[Course]:
    return Course.objects.visible_to(user).order_by("code")


def assignment_list(*, user) -> QuerySet[TrainingAssignment]:
    """Assignments of the people in scope (store staff: their own), each with ``overdue``:
    still to do and due before the home store's local today (one query, the date per row
    in SQL)."""
    assignments = TrainingAssignment.objects.visible_to(user)
    return (
        assignments.select_related("employee__home_store", "course", "recorded_by")
        .annotate(
            overdue=ExpressionWrapper(
                Q(status=TrainingAssignment.Status.ASSIGNED)
                & Q(due_date__lt=store_local_today("employee__home_store")),
                output_field=BooleanField(),
            )
        )
        .order_by("due_date", "employee__home_store__code", "employee__name", "pk")
    )


def assignment_get(*, user, pk: int) -> TrainingAssignment:
    return get_object_or_404(assignment_list(user=user), pk=pk)


# --- The store dashboard's tile ------------------------------------------------------


@dataclass(frozen=True)
class ShiftsToday:
    on_now: list[Shift]
    later: list[Shift]
    done: list[Shift]
    paid_minutes: int
    open_swaps: int

    @property
    def hours(self) -> str:
        return times.hours(self.paid_minutes)

    @property
    def count(self) -> int:
        return len(self.on_now) + len(self.later) + len(self.done)


def shifts_today(*, user, store: Store, now: datetime.datetime | None = None) -> ShiftsToday:
    """Who is on now, later and earlier today (published shifts of the store's business
    date), the hours scheduled and the open swap requests. Two queries."""
    now = now or timezone.now()
    today = store.business_date(now)
    shifts = list(
        Shift.objects.visible_to(user)
        .filter(store=store, business_date=today, schedule__status=Schedule.Status.PUBLISHED)
        .select_related("employee", "store")
        .order_by("start_at", "employee__name")
    )
    swaps = SwapRequest.objects.visible_to(user).filter(
        shift__store=store, status__in=SwapRequest.OPEN_STATUSES
    )
    return ShiftsToday(
        on_now=[s for s in shifts if s.start_at <= now < s.end_at],
        later=[s for s in shifts if s.start_at > now],
        done=[s for s in shifts if s.end_at <= now],
        paid_minutes=sum(s.paid_minutes for s in shifts),
        open_swaps=swaps.count(),
    )


# --- What the KPI job reads ------------------------------------------------------------


def kpi_labor(*, date: datetime.date, store_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """Per store with published shifts starting on the business date ``date``: (paid
    minutes, labor cost). A shift across midnight counts for the date it starts on. One
    query over one day's shifts."""
    rows = (
        Shift.objects.filter(
            store_id__in=store_ids,
            business_date=date,
            schedule__status=Schedule.Status.PUBLISHED,
        )
        .values("store_id")
        .annotate(minutes=Sum("paid_minutes"), cost=Sum("labor_cost"))
        .order_by()
    )
    return {r["store_id"]: (r["minutes"] or 0, r["cost"] or ZERO) for r in rows}


def kpi_training_due(*, date: datetime.date, store_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per home store: (assignments due on ``date`` completed by the end of that
    store-local date, assignments due on ``date``); cancelled ones do not count. One query
    over one due date."""
    rows = (
        TrainingAssignment.objects.filter(employee__home_store_id__in=store_ids, due_date=date)
        .exclude(status=TrainingAssignment.Status.CANCELLED)
        .values_list("employee__home_store_id", "employee__home_store__time_zone", "completed_at")
    )
    result: dict[int, list[int]] = {}
    ends = {}
    for store_id, zone, completed_at in rows:
        if zone not in ends:
            ends[zone] = times.aware(
                date + datetime.timedelta(days=1), datetime.time(0), zoneinfo.ZoneInfo(zone)
            )
        done, due = result.setdefault(store_id, [0, 0])
        on_time = completed_at is not None and completed_at < ends[zone]
        result[store_id] = [done + int(on_time), due + 1]
    return {store_id: (done, due) for store_id, (done, due) in result.items()}
