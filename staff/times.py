"""Store-local wall clock <-> real instants, for shifts, availability and opening hours.

A store's wall clock skips an hour when DST starts (02:30 does not exist that night) and
repeats one when it ends (01:30 happens twice). A shift may not start or end at a time
that does not exist; a repeated time means its first occurrence.
"""

from __future__ import annotations

import datetime
import zoneinfo

UTC = datetime.UTC


def week_start(date: datetime.date) -> datetime.date:
    """The Monday of ``date``'s week."""
    return date - datetime.timedelta(days=date.weekday())


def week_days(monday: datetime.date) -> list[datetime.date]:
    return [monday + datetime.timedelta(days=i) for i in range(7)]


def exists(date: datetime.date, time: datetime.time, tz: zoneinfo.ZoneInfo) -> bool:
    """False for a wall-clock time skipped by a DST change in ``tz``."""
    naive = datetime.datetime.combine(date, time)
    back = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == naive


def aware(date: datetime.date, time: datetime.time, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The instant of a store-local date and wall-clock time (a repeated time: the first),
    in UTC."""
    return datetime.datetime.combine(date, time).replace(tzinfo=tz, fold=0).astimezone(UTC)


def local(instant: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return instant.astimezone(tz)


def span(
    date: datetime.date, starts: datetime.time, ends: datetime.time, tz: zoneinfo.ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end) instants of a wall-clock range on ``date``; ``ends`` at or before
    ``starts`` is on the next day."""
    end_date = date if ends > starts else date + datetime.timedelta(days=1)
    return aware(date, starts, tz), aware(end_date, ends, tz)


def hours(minutes: int) -> str:
    """Minutes as hours with 2 decimals ("7.50")."""
    return f"{minutes / 60:.2f}"
