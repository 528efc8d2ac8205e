"""The checks a week's shifts pass before publishing (DESIGN.md "Schedules"), also run live
in the editor, on every change to a published week and on every swap approval.

Errors refuse publishing (and a change to a published week, or a swap approval, that adds
one); warnings are shown and allow it:

- ``not_employed`` (error): a shift on a date outside the person's active from/to.
- ``overlap`` (error): two shifts of one person overlap, at any of the chain's stores.
- ``leave`` (error): a shift touches a day of the person's leave.
- ``rest`` (error): less than the minimum rest (``STAFF_MIN_REST_HOURS``) between two
  shifts of one person; exactly the minimum is allowed.
- ``weekly_hours`` (error): a person's paid hours in a week (Monday–Sunday business dates,
  all stores) above their weekly limit; exactly the limit is allowed.
- ``min_staffing`` (error): fewer people on shift than the store's rule at some moment of
  its opening hours.
- ``availability`` (warning): a shift outside the person's recurring availability (when
  they have any).

On a published week a change is compared with the week before it by identity, not by
message: a violation is the same one when its rule, person and date and its store (or,
for ``overlap`` and ``rest``, its two shifts) are the same; each has a ``magnitude`` (the
minutes over the weekly limit, of overlap, of rest missing, on leave or not employed, and
the person-minutes short of minimum staffing). A change that keeps or reduces every
magnitude is allowed (a partial fix); one that adds a violation or makes one worse is
refused (``compare``).

The shifts checked ("candidates") are compared with every **published** shift of the same
people elsewhere (other stores, neighbouring weeks); drafts of other weeks are not
commitments yet. Constant queries: whatever the number of shifts, one per kind of record.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from stores.models import OpeningHours, Store

from . import times
from .models import Availability, Employee, Leave, Schedule, Shift, StaffingRule
from .rules import min_rest_hours

ERROR = "error"
WARNING = "warning"
SEVERITY = {
    "not_employed": ERROR,
    "overlap": ERROR,
    "leave": ERROR,
    "rest": ERROR,
    "weekly_hours": ERROR,
    "min_staffing": ERROR,
    "availability": WARNING,
}
# Shifts last at most 16 h and rest is at most a day: neighbours are within these days.
NEIGHBOUR_DAYS = 3


@dataclass(frozen=True)
class Planned:
    """A shift as the checks see it: saved (``pk``) or proposed (``pk`` None)."""

    pk: int | None
    employee_id: int
    store_id: int
    business_date: datetime.date
    start_at: datetime.datetime
    end_at: datetime.datetime
    paid_minutes: int

    @classmethod
    def of(cls, shift: Shift, **changes) -> Planned:
        values = {
            "pk": shift.pk,
            "employee_id": shift.employee_id,
            "store_id": shift.store_id,
            "business_date": shift.business_date,
            "start_at": shift.start_at,
            "end_at": shift.end_at,
            "paid_minutes": shift.paid_minutes,
        }
        values.update(changes)
        return cls(**values)


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: str
    message: str
    date: datetime.date
    store_id: int
    employee_id: int | None = None
    employee: str = ""
    shift_ids: tuple[int, ...] = ()
    # How bad it is (minutes, see the module's docstring) and, for a rule about two
    # shifts, which two (a new shift's pk is 0): what a change is compared by.
    magnitude: int = 0
    pair: tuple[int, ...] = ()

    @property
    def key(self) -> tuple:
        """The violation's identity across a change: never its message, which states the
        magnitude ("46.00 h", "15:00–16:30")."""
        if self.pair:
            return (self.rule, self.employee_id, self.pair)
        return (self.rule, self.employee_id, self.date, self.store_id)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["shift_ids"] = list(self.shift_ids)
        del data["magnitude"], data["pair"]
        return data


def errors(violations: Iterable[Violation]) -> list[Violation]:
    return [v for v in violations if v.is_error]


def _magnitudes(violations: Iterable[Violation]) -> dict[tuple, int]:
    """Per identity, the errors' total magnitude (two shifts of one person on one leave
    day are one violation, twice as long)."""
    totals: dict[tuple, int] = defaultdict(int)
    for v in violations:
        if v.is_error:
            totals[v.key] += v.magnitude
    return totals


def compare(
    before: Iterable[Violation], after: Iterable[Violation]
) -> tuple[list[Violation], list[Violation]]:
    """(new, worse): the errors ``after`` a change that were not there before it, and
    those that were but with a smaller magnitude. Kept or reduced ones are neither."""
    known = _magnitudes(before)
    now = _magnitudes(after)
    new = [v for v in after if v.is_error and v.key not in known]
    worse = [v for v in after if v.is_error and v.key in known and now[v.key] > known[v.key]]
    return new, worse


def new_errors(before: Iterable[Violation], after: Iterable[Violation]) -> list[Violation]:
    """The errors ``after`` a change that are new or worse than before it."""
    new, worse = compare(before, after)
    keys = {v.key for v in [*new, *worse]}
    return [v for v in after if v.is_error and v.key in keys]


def _day(date: datetime.date) -> str:
    return date_format(date, "D Y-m-d")


def _clock(instant: datetime.datetime, tz) -> str:
    return f"{times.local(instant, tz):%H:%M}"


class _Context:
    """Everything the checks read, in one query per kind of record."""

    def __init__(self, candidates: list[Planned], schedule: Schedule | None, store: Store | None):
        employee_ids = {c.employee_id for c in candidates}
        dates = [c.business_date for c in candidates]
        if store is not None and schedule is not None:
            dates += [schedule.week_start, schedule.week_start + datetime.timedelta(days=6)]
        first, last = min(dates), max(dates)
        weeks_first = times.week_start(first)
        weeks_last = times.week_start(last) + datetime.timedelta(days=6)
        window = (
            weeks_first - datetime.timedelta(days=NEIGHBOUR_DAYS),
            weeks_last + datetime.timedelta(days=NEIGHBOUR_DAYS),
        )
        self.employees = Employee.objects.in_bulk(employee_ids)
        candidate_pks = {c.pk for c in candidates if c.pk is not None}
        others = Shift.objects.filter(
            employee_id__in=employee_ids,
            schedule__status=Schedule.Status.PUBLISHED,
            business_date__range=window,
        ).exclude(pk__in=candidate_pks)
        if schedule is not None:
            others = others.exclude(schedule_id=schedule.pk)
        self.others = [Planned.of(s) for s in others.order_by("start_at", "pk")]
        store_ids = {c.store_id for c in candidates} | {o.store_id for o in self.others}
        if store is not None:
            store_ids.add(store.pk)
        self.stores = Store.objects.in_bulk(store_ids)
        self.leaves = defaultdict(list)
        for leave in Leave.objects.filter(
            employee_id__in=employee_ids, start_date__lte=last, end_date__gte=first
        ).order_by("start_date"):
            self.leaves[leave.employee_id].append(leave)
        self.availability = defaultdict(list)
        for row in Availability.objects.filter(employee_id__in=employee_ids):
            self.availability[row.employee_id].append(row)
        self.rest = datetime.timedelta(hours=float(min_rest_hours()))

    def name(self, employee_id: int) -> str:
        employee = self.employees.get(employee_id)
        return employee.name if employee else str(employee_id)

    def tz(self, store_id: int):
        return self.stores[store_id].tz

    def where(self, store_id: int) -> str:
        return self.stores[store_id].code


def check(
    *,
    candidates: list[Planned],
    schedule: Schedule | None = None,
    staffing: bool = True,
) -> list[Violation]:
    """Every violation involving ``candidates`` (the shifts of ``schedule`` as they would
    be, when a schedule is checked), and the schedule store's minimum staffing."""
    store = schedule.store if schedule is not None else None
    if not candidates and (store is None or not staffing):
        return []
    ctx = _Context(candidates, schedule, store) if candidates else None
    found: list[Violation] = []
    if ctx is not None:
        by_employee = defaultdict(list)
        for c in candidates:
            by_employee[c.employee_id].append(c)
        for employee_id, mine in by_employee.items():
            employee = ctx.employees.get(employee_id)
            if employee is None:
                continue
            found += _employment(ctx, employee, mine)
            found += _leave(ctx, employee, mine)
            found += _availability(ctx, employee, mine)
            theirs = [o for o in ctx.others if o.employee_id == employee_id]
            found += _overlap_and_rest(ctx, employee, mine, theirs)
            found += _weekly_hours(ctx, employee, mine, theirs)
    if store is not None and staffing:
        found += _min_staffing(schedule, store, candidates)
    found.sort(key=lambda v: (v.date, v.severity != ERROR, v.rule, v.employee, v.message))
    return found


def _minutes(delta: datetime.timedelta) -> int:
    """Whole minutes, rounded up: any shortfall counts."""
    return math.ceil(delta.total_seconds() / 60)


def _length(shift: Planned) -> int:
    return _minutes(shift.end_at - shift.start_at)


def _violation(
    rule, message, date, store_id, employee=None, shifts=(), *, magnitude=0, pair=False
) -> Violation:
    return Violation(
        rule=rule,
        severity=SEVERITY[rule],
        message=message,
        date=date,
        store_id=store_id,
        employee_id=employee.pk if employee else None,
        employee=employee.name if employee else "",
        shift_ids=tuple(s.pk for s in shifts if s.pk is not None),
        magnitude=magnitude,
        pair=tuple(sorted(s.pk or 0 for s in shifts)) if pair else (),
    )


def _employment(ctx, employee: Employee, mine: list[Planned]) -> list[Violation]:
    return [
        _violation(
            "not_employed",
            _("%(name)s, %(day)s: not employed on that date (active %(start)s – %(end)s).")
            % {
                "name": employee.name,
                "day": _day(c.business_date),
                "start": employee.active_from.isoformat(),
                "end": employee.active_to.isoformat() if employee.active_to else "…",
            },
            c.business_date,
            c.store_id,
            employee,
            [c],
            magnitude=_length(c),
        )
        for c in mine
        if not employee.is_active_on(c.business_date)
    ]


def _leave(ctx, employee: Employee, mine: list[Planned]) -> list[Violation]:
    found = []
    for c in mine:
        tz = ctx.tz(c.store_id)
        for leave in ctx.leaves.get(employee.pk, []):
            leave_start = times.aware(leave.start_date, datetime.time(0), tz)
            leave_end = times.aware(
                leave.end_date + datetime.timedelta(days=1), datetime.time(0), tz
            )
            if c.start_at < leave_end and leave_start < c.end_at:
                found.append(
                    _violation(
                        "leave",
                        _("%(name)s, %(day)s: on leave %(start)s – %(end)s%(reason)s.")
                        % {
                            "name": employee.name,
                            "day": _day(c.business_date),
                            "start": leave.start_date.isoformat(),
                            "end": leave.end_date.isoformat(),
                            "reason": f" ({leave.reason})" if leave.reason else "",
                        },
                        c.business_date,
                        c.store_id,
                        employee,
                        [c],
                        magnitude=_minutes(min(c.end_at, leave_end) - max(c.start_at, leave_start)),
                    )
                )
                break
    return found


def _covered(start, end, intervals) -> bool:
    cursor = start
    for iv_start, iv_end in sorted(intervals):
        if iv_start <= cursor < iv_end:
            cursor = iv_end
        if cursor >= end:
            return True
    return cursor >= end


def _availability(ctx, employee: Employee, mine: list[Planned]) -> list[Violation]:
    rows = ctx.availability.get(employee.pk)
    if not rows:
        return []  # no ranges given: available at any time
    found = []
    for c in mine:
        tz = ctx.tz(c.store_id)
        last = times.local(c.end_at, tz).date()
        intervals = []
        day = c.business_date - datetime.timedelta(days=1)
        while day <= last:
            for row in rows:
                if row.weekday == day.weekday():
                    intervals.append(times.span(day, row.starts, row.ends, tz))
            day += datetime.timedelta(days=1)
        if not _covered(c.start_at, c.end_at, intervals):
            found.append(
                _violation(
                    "availability",
                    _("%(name)s, %(day)s: %(start)s–%(end)s is outside their availability.")
                    % {
                        "name": employee.name,
                        "day": _day(c.business_date),
                        "start": _clock(c.start_at, tz),
                        "end": _clock(c.end_at, tz),
                    },
                    c.business_date,
                    c.store_id,
                    employee,
                    [c],
                    magnitude=_length(c),
                )
            )
    return found


def _describe(ctx, shift: Planned) -> str:
    tz = ctx.tz(shift.store_id)
    return _("%(start)s–%(end)s at %(store)s") % {
        "start": _clock(shift.start_at, tz),
        "end": _clock(shift.end_at, tz),
        "store": ctx.where(shift.store_id),
    }


def _overlap_and_rest(ctx, employee, mine: list[Planned], theirs: list[Planned]):
    candidate_ids = {id(c) for c in mine}
    shifts = sorted([*mine, *theirs], key=lambda s: (s.start_at, s.end_at))
    found = []
    rest_hours = ctx.rest.total_seconds() / 3600
    for i, first in enumerate(shifts):
        for second in shifts[i + 1 :]:
            involved = id(first) in candidate_ids or id(second) in candidate_ids
            if second.start_at < first.end_at:
                if involved:
                    found.append(
                        _violation(
                            "overlap",
                            _("%(name)s, %(day)s: shifts overlap (%(first)s and %(second)s).")
                            % {
                                "name": employee.name,
                                "day": _day(second.business_date),
                                "first": _describe(ctx, first),
                                "second": _describe(ctx, second),
                            },
                            second.business_date,
                            second.store_id if id(second) in candidate_ids else first.store_id,
                            employee,
                            [first, second],
                            magnitude=_minutes(min(first.end_at, second.end_at) - second.start_at),
                            pair=True,
                        )
                    )
                continue
            # The first shift starting after ``first`` ends: the rest after ``first``.
            gap = second.start_at - first.end_at
            if involved and gap < ctx.rest:
                found.append(
                    _violation(
                        "rest",
                        _(
                            "%(name)s, %(day)s: only %(gap)s h of rest between %(first)s and "
                            "%(second)s (at least %(minimum)s h)."
                        )
                        % {
                            "name": employee.name,
                            "day": _day(second.business_date),
                            "gap": f"{gap.total_seconds() / 3600:.2f}",
                            "first": _describe(ctx, first),
                            "second": _describe(ctx, second),
                            "minimum": f"{rest_hours:g}",
                        },
                        second.business_date,
                        second.store_id if id(second) in candidate_ids else first.store_id,
                        employee,
                        [first, second],
                        magnitude=_minutes(ctx.rest - gap),
                        pair=True,
                    )
                )
            break
    return found


def _weekly_hours(ctx, employee, mine: list[Planned], theirs: list[Planned]):
    limit = int(Decimal(employee.weekly_hours_max) * 60)
    weeks = defaultdict(int)
    for shift in [*mine, *theirs]:
        weeks[times.week_start(shift.business_date)] += shift.paid_minutes
    found = []
    for monday in sorted({times.week_start(c.business_date) for c in mine}):
        total = weeks[monday]
        if total > limit:
            in_week = [c for c in mine if times.week_start(c.business_date) == monday]
            found.append(
                _violation(
                    "weekly_hours",
                    _(
                        "%(name)s: %(hours)s h in the week of %(week)s, above their limit "
                        "of %(limit)s h."
                    )
                    % {
                        "name": employee.name,
                        "hours": times.hours(total),
                        "week": monday.isoformat(),
                        "limit": f"{employee.weekly_hours_max:.2f}",
                    },
                    monday,
                    in_week[0].store_id,
                    employee,
                    in_week,
                    magnitude=total - limit,
                )
            )
    return found


def _min_staffing(schedule: Schedule, store: Store, candidates: list[Planned]):
    if store.status != Store.Status.OPEN:
        return []
    rules = dict(StaffingRule.objects.filter(store=store).values_list("weekday", "min_staff"))
    if not rules:
        return []
    hours = {h.weekday: h for h in OpeningHours.objects.filter(store=store)}
    days = times.week_days(schedule.week_start)
    tz = store.tz
    # Published shifts of other weeks reaching into this one (a Sunday night shift).
    week_open = times.aware(days[0], datetime.time(0), tz)
    week_close = times.aware(days[-1] + datetime.timedelta(days=1), datetime.time(0), tz)
    reaching = [
        Planned.of(s)
        for s in Shift.objects.filter(
            store=store,
            schedule__status=Schedule.Status.PUBLISHED,
            start_at__lt=week_close,
            end_at__gt=week_open,
        ).exclude(schedule_id=schedule.pk)
    ]
    intervals = [(s.start_at, s.end_at) for s in [*candidates, *reaching] if s.store_id == store.pk]
    found = []
    for day in days:
        minimum = rules.get(day.weekday(), rules.get(None))
        today = hours.get(day.weekday())
        if not minimum or today is None:
            continue
        opens, closes = times.span(day, today.opens, today.closes, tz)
        for start, end, lowest, short in _under(intervals, opens, closes, minimum):
            found.append(
                _violation(
                    "min_staffing",
                    _(
                        "%(store)s, %(day)s, %(start)s–%(end)s: %(count)s on shift, at least "
                        "%(minimum)s needed."
                    )
                    % {
                        "store": store.code,
                        "day": _day(day),
                        "start": _clock(start, tz),
                        "end": _clock(end, tz),
                        "count": lowest,
                        "minimum": minimum,
                    },
                    day,
                    store.pk,
                    magnitude=short,
                )
            )
    return found


def _under(intervals, opens, closes, minimum):
    """The stretches of [opens, closes) with fewer than ``minimum`` intervals covering
    them, merged, each with the lowest count in it and the person-minutes missing."""
    events = defaultdict(int)
    for start, end in intervals:
        start, end = max(start, opens), min(end, closes)
        if start < end:
            events[start] += 1
            events[end] -= 1
    points = sorted({opens, closes, *events})
    stretches = []
    count = 0
    for here, following in itertools.pairwise(points):
        count += events.get(here, 0)
        if here >= closes:
            break
        if here < opens:
            continue
        if count < minimum:
            short = (minimum - count) * _minutes(following - here)
            if stretches and stretches[-1][1] == here:
                stretches[-1][1] = following
                stretches[-1][2] = min(stretches[-1][2], count)
                stretches[-1][3] += short
            else:
                stretches.append([here, following, count, short])
    return [tuple(s) for s in stretches]
