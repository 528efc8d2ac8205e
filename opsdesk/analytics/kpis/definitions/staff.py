"""Staff KPIs, read through ``staff.selectors`` (and ``sales.selectors`` for net sales).

- ``sales_per_labor_hour``: the store-local date's net sales ÷ the paid hours of the
  published shifts starting on that date (a shift across midnight belongs to the date it
  starts on). Only stores with scheduled hours that date have a row; no sales is 0.
- ``labor_cost_pct``: the labor cost of those shifts ÷ net sales × 100; a store with
  shifts and no sales has a row with an empty value. Its numerator is the wage cost:
  only the roles that read the schedules' costs (``staff.rules.SCHEDULE_READERS``) read
  it, store staff do not.
- ``training_completion_rate``: training assignments due on that date (their due date is
  the business date; cancelled ones left out), completed by the end of that store-local
  date ÷ those due, per person's home store. No assignment due: no row.

Each reads one day: the nightly cost does not grow with history. See docs/kpis.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from staff import selectors
from staff.rules import SCHEDULE_READERS

from ..registry import Kpi, Values, register, shared
from ._common import day_sales, q

MINUTES_PER_HOUR = Decimal(60)


def _labor(business_date: datetime.date, store_ids: list[int]):
    """(labor by store, net sales by store) of the date, each read once per run (the
    day's sales are the read ATV and UPT share)."""
    labor = shared(
        ("staff.labor", business_date, tuple(store_ids)),
        lambda: selectors.kpi_labor(date=business_date, store_ids=store_ids),
    )
    sales = {s: i.net_sales for s, i in day_sales(business_date, store_ids).items()}
    return labor, sales


def _sales_per_labor_hour(business_date: datetime.date, store_ids: list[int]) -> Values:
    labor, sales = _labor(business_date, store_ids)
    return {
        store_id: (q(sales.get(store_id, 0)), q(Decimal(minutes) / MINUTES_PER_HOUR))
        for store_id, (minutes, _cost) in labor.items()
        if minutes
    }


def _labor_cost_pct(business_date: datetime.date, store_ids: list[int]) -> Values:
    labor, sales = _labor(business_date, store_ids)
    return {
        store_id: (q(cost), q(sales.get(store_id, 0)))
        for store_id, (minutes, cost) in labor.items()
        if minutes
    }


def _training_completion(business_date: datetime.date, store_ids: list[int]) -> Values:
    rows = selectors.kpi_training_due(date=business_date, store_ids=store_ids)
    return {store_id: (q(done), q(due)) for store_id, (done, due) in rows.items()}


register(
    Kpi(
        code="sales_per_labor_hour",
        name=_("Sales per labor hour"),
        name_zh="人效（每工时销售额）",
        unit="money",
        higher_is_better=True,
        numerator=_("net sales"),
        denominator=_("scheduled labor hours"),
        compute=_sales_per_labor_hour,
    )
)
register(
    Kpi(
        code="labor_cost_pct",
        name=_("Labor cost %"),
        name_zh="人工成本占比",
        unit="%",
        higher_is_better=False,
        numerator=_("scheduled labor cost"),
        denominator=_("net sales"),
        compute=_labor_cost_pct,
        scale=Decimal(100),
        readers=SCHEDULE_READERS,
    )
)
register(
    Kpi(
        code="training_completion_rate",
        name=_("Training completion rate"),
        name_zh="培训按时完成率",
        unit="%",
        higher_is_better=True,
        numerator=_("assignments completed by their due date"),
        denominator=_("assignments due"),
        compute=_training_completion,
        scale=Decimal(100),
    )
)
