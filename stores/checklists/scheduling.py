"""Pure schedule rules (no queries): does a schedule fall on a date, is the store open,
and when is a run due, in the store's own time zone (DST-safe).
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

UTC = datetime.UTC


def occurs_on(schedule, date: datetime.date) -> bool:
    recurrence = schedule.recurrence
    if recurrence == "daily":
        return True
    if recurrence in ("weekdays", "weekly"):
        return date.weekday() in set(schedule.weekdays or [])
    if recurrence == "monthly":
        last = calendar.monthrange(date.year, date.month)[1]
        return date.day == min(schedule.day_of_month or 1, last)
    return False


def store_open_on(store, date: datetime.date, open_weekdays: set[int]) -> bool:
    """Open on that date: status open, opened by then, regular hours for that weekday."""
    if store.status != "open":
        return False
    if store.opening_date is not None and store.opening_date > date:
        return False
    return date.weekday() in open_weekdays


def local_to_utc(date: datetime.date, time: datetime.time, tz: zoneinfo.ZoneInfo):
    """A store-local wall-clock time as an aware UTC datetime.

    In a spring-forward gap (02:30 that does not exist) the time before the change
    applies (fold=0), so 02:30 becomes 03:30 local; in a fall-back overlap (01:30 twice)
    the first occurrence counts.
    """
    local = datetime.datetime.combine(date, time).replace(tzinfo=tz, fold=0)
    return local.astimezone(UTC)


def run_times(store, date: datetime.date, schedule) -> dict:
    """due_at, deadline_at (due + grace) and day_ends_at (next local midnight), in UTC."""
    tz = zoneinfo.ZoneInfo(store.time_zone)
    due_at = local_to_utc(date, schedule.due_time, tz)
    return {
        "due_at": due_at,
        "deadline_at": due_at + datetime.timedelta(minutes=schedule.grace_minutes),
        "day_ends_at": local_to_utc(date + datetime.timedelta(days=1), datetime.time(0), tz),
    }
