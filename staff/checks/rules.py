"""The checks: employment, leave, availability, overlap and rest, weekly hours, staffing."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from stores.models import OpeningHours, Store

from .. import times
from ..models import Employee, Schedule, Shift, StaffingRule
from .core import Planned, Violation, _clock, _day, _describe, _length, _minutes, _violation


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
