"""What the checks are made of: planned shifts, violations, the context of a check."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from stores.models import Store

from .. import times
from ..models import Availability, Employee, Leave, Schedule, Shift
from ..rules import min_rest_hours

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


def _describe(ctx, shift: Planned) -> str:
    tz = ctx.tz(shift.store_id)
    return _("%(start)s–%(end)s at %(store)s") % {
        "start": _clock(shift.start_at, tz),
        "end": _clock(shift.end_at, tz),
        "store": ctx.where(shift.store_id),
    }
