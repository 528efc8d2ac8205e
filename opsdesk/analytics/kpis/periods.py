"""The reporting periods of the dashboards, the KPI API and the KPI exports.

``?period=7d|30d|mtd|month`` and ``&month=YYYY-MM``: the last 7 or 30 days, the month to
date, or a calendar month, ending on the last closed business date (yesterday: KPIs are
computed after a store's day closes) or, with ``month``, on that month's last day.
An unknown period or a malformed month raises ``ValidationError`` with a message per
parameter.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_PERIOD = "30d"
PERIODS = {
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "mtd": _("Month to date"),
    "month": _("Calendar month"),
}


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime.date
    end: datetime.date
    month: datetime.date | None = None

    @property
    def label(self):
        return PERIODS[self.key]

    @property
    def days(self) -> list[datetime.date]:
        count = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=i) for i in range(count)]

    def params(self) -> dict[str, str]:
        """The query-string parameters that give this period back."""
        params = {"period": self.key}
        if self.month is not None:
            params["month"] = f"{self.month:%Y-%m}"
        return params


def parse_month(raw: str) -> datetime.date:
    try:
        year, month = raw.split("-")
        if (
            len(year) != 4
            or len(month) != 2
            or not (year + month).isascii()
            or not (year + month).isdigit()
        ):
            raise ValueError
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError(
            {"month": _("Enter a month as YYYY-MM, e.g. 2026-10.")}, code="invalid"
        ) from None


def period_for(key: str, last_day: datetime.date, month: datetime.date | None = None) -> Period:
    if key == "7d":
        return Period(key, last_day - datetime.timedelta(days=6), last_day)
    if key == "30d":
        return Period(key, last_day - datetime.timedelta(days=29), last_day)
    if key == "mtd":
        return Period(key, last_day.replace(day=1), last_day)
    assert month is not None
    last = calendar.monthrange(month.year, month.month)[1]
    return Period(key, month, month.replace(day=last), month)


def last_closed_day(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=1)


def parse_period(params: Mapping, last_day: datetime.date) -> Period:
    """The period a query string asks for, ending on ``last_day`` (see
    :func:`last_closed_day`), or with ``month`` on that month's last day: ``7d`` and
    ``30d`` count back from it, ``mtd`` and ``month`` are that month (``month`` without a
    month: the month of ``last_day``). No period: ``month`` with a month, else 30d."""
    raw_month = params.get("month") or ""
    key = params.get("period") or ("month" if raw_month else DEFAULT_PERIOD)
    if key not in PERIODS:
        raise ValidationError(
            {"period": _("Unknown period: choose 7d, 30d, mtd or month.")}, code="invalid"
        )
    month = parse_month(raw_month) if raw_month else None
    if key == "month":
        return period_for(key, last_day, month or last_day.replace(day=1))
    if month is None:
        return period_for(key, last_day)
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return replace(period_for(key, month_end), month=month)
