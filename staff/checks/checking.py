"""``check``: every rule over a week's planned shifts."""

from __future__ import annotations

from collections import defaultdict

from ..models import Schedule
from .core import ERROR, Planned, Violation, _Context
from .rules import (
    _availability,
    _employment,
    _leave,
    _min_staffing,
    _overlap_and_rest,
    _weekly_hours,
)


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
