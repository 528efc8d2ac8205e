"""Sales KPIs, read through ``sales.selectors``.

``sales_attainment_mtd`` stores each date's own (net sales, day target): the
month-to-date attainment at a date is the roll-up of the 1st to that date (ratio of sums),
and a roll-up over any range never counts a day twice. See docs/kpis.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from sales import selectors

from ..registry import Kpi, Values, register
from ._common import day_sales, fact_sums, q


def _attainment(business_date: datetime.date, store_ids: list[int]) -> Values:
    rows = selectors.kpi_sales_day_targets(date=business_date, store_ids=store_ids)
    return {s: (q(sales), q(target)) for s, (sales, target) in rows.items()}


def _attainment_mtd(store_ids: list[int], start: datetime.date, end: datetime.date) -> dict:
    sales, target = fact_sums("sales_attainment_mtd", store_ids, end.replace(day=1), end)
    if not target:
        return {"mtd": None}
    return {"mtd": q(sales / target * 100)}


def _traded(business_date: datetime.date, store_ids: list[int]):
    """The stores' sales figures of the day, for the stores that traded (a closed day or
    a store with no sales has no row). ATV and UPT share one read within a run."""
    inputs = day_sales(business_date, store_ids)
    return [i for i in inputs.values() if i.transactions or i.net_sales or i.units]


def _atv(business_date: datetime.date, store_ids: list[int]) -> Values:
    return {
        i.store_id: (q(i.net_sales), q(i.transactions)) for i in _traded(business_date, store_ids)
    }


def _upt(business_date: datetime.date, store_ids: list[int]) -> Values:
    return {i.store_id: (q(i.units), q(i.transactions)) for i in _traded(business_date, store_ids)}


register(
    Kpi(
        code="sales_attainment_mtd",
        name=_("Sales attainment (month to date)"),
        name_zh="销售目标达成率（月累计）",
        unit="%",
        higher_is_better=True,
        numerator=_("net sales"),
        denominator=_("sales target"),
        compute=_attainment,
        scale=Decimal(100),
        extras=_attainment_mtd,
    )
)
register(
    Kpi(
        code="atv",
        name=_("Average transaction value"),
        name_zh="客单价",
        unit="money",
        higher_is_better=True,
        numerator=_("net sales"),
        denominator=_("transactions"),
        compute=_atv,
    )
)
register(
    Kpi(
        code="upt",
        name=_("Units per transaction"),
        name_zh="客单件数",
        unit="ratio",
        higher_is_better=True,
        numerator=_("units sold"),
        denominator=_("transactions"),
        compute=_upt,
    )
)
