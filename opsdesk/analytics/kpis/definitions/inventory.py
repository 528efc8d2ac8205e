"""Inventory KPIs, read through ``inventory.selectors`` (and net sales through
``sales.selectors``). Every window ends on the business date computed, included.

See docs/kpis.md for the definitions, their numerators, denominators and edge cases.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inventory import selectors
from sales import selectors as sales_selectors

from ..registry import Kpi, Values, register, shared
from ._common import ZERO, fact_sums, percentile, q, window_start

TURNOVER_DAYS = 30
ACTIVE_DAYS = 28
SHRINKAGE_DAYS = 30
SELL_THROUGH_DAYS = 30
P90 = Decimal("0.9")


def _movement_totals(
    business_date: datetime.date, days: int, store_ids: list[int]
) -> dict[int, selectors.KpiMovementTotals]:
    """The stores' movements over the ``days`` days to the date, summed in one pass that
    turnover, sell-through and shrinkage share within a run (they read the same days)."""
    start = window_start(business_date, days)
    return shared(
        ("inventory.movement_totals", start, business_date, tuple(store_ids)),
        lambda: selectors.kpi_movement_totals(start=start, end=business_date, store_ids=store_ids),
    )


def _turnover(business_date: datetime.date, store_ids: list[int]) -> Values:
    """COGS over the 30 days ÷ average daily inventory value at cost over those days.

    Only stores with at least one snapshot in the window have a value: without one the
    average inventory is unknown (and a COGS with no denominator would skew roll-ups).
    """
    start = window_start(business_date, TURNOVER_DAYS)
    inventory = selectors.kpi_inventory_value(start=start, end=business_date, store_ids=store_ids)
    moved = _movement_totals(business_date, TURNOVER_DAYS, store_ids)
    values = {}
    for store_id, (value, days) in inventory.items():
        if not days:
            continue
        totals = moved.get(store_id)
        cogs = totals.cost_of_goods_sold if totals else None
        values[store_id] = (q(cogs or ZERO), q(value / days))
    return values


def _days_on_hand(store_ids: list[int], start: datetime.date, end: datetime.date) -> dict:
    cogs, inventory = fact_sums("inventory_turnover_30d", store_ids, start, end)
    if not cogs or not inventory:
        return {"days_on_hand": None}
    return {"days_on_hand": q(Decimal(TURNOVER_DAYS) * inventory / cogs)}


def _order_cycle(business_date: datetime.date, store_ids: list[int]) -> Values:
    hours = selectors.kpi_order_cycle_hours(
        start=business_date, end=business_date, store_ids=store_ids
    )
    return {s: (q(total), q(count)) for s, (total, count) in hours.items()}


def _order_cycle_p90(store_ids: list[int], start: datetime.date, end: datetime.date) -> dict:
    hours = selectors.kpi_order_cycle_hours_list(start=start, end=end, store_ids=store_ids)
    return {"p90_h": percentile(hours, P90)}


def _transfer_cycle(business_date: datetime.date, store_ids: list[int]) -> Values:
    hours = selectors.kpi_transfer_cycle_hours(
        start=business_date, end=business_date, store_ids=store_ids
    )
    return {s: (q(total), q(count)) for s, (total, count) in hours.items()}


def _transfer_cycle_p90(store_ids: list[int], start: datetime.date, end: datetime.date) -> dict:
    hours = selectors.kpi_transfer_cycle_hours_list(start=start, end=end, store_ids=store_ids)
    return {"p90_h": percentile(hours, P90)}


def _stockout(business_date: datetime.date, store_ids: list[int]) -> Values:
    counts = selectors.kpi_stockouts(
        date=business_date, store_ids=store_ids, active_days=ACTIVE_DAYS
    )
    return {s: (q(out), q(active)) for s, (out, active) in counts.items()}


def _shrinkage(business_date: datetime.date, store_ids: list[int]) -> Values:
    start = window_start(business_date, SHRINKAGE_DAYS)
    moved = _movement_totals(business_date, SHRINKAGE_DAYS, store_ids)
    lost = {s: t.shrinkage_value for s, t in moved.items() if t.shrinkage_value is not None}
    sales = sales_selectors.kpi_net_sales(start=start, end=business_date, store_ids=store_ids)
    return {
        s: (q(lost.get(s, ZERO)), q(sales.get(s, ZERO)))
        for s in store_ids
        if s in lost or s in sales
    }


def _sell_through(business_date: datetime.date, store_ids: list[int]) -> Values:
    start = window_start(business_date, SELL_THROUGH_DAYS)
    moved = {
        s: t.units_sold_received
        for s, t in _movement_totals(business_date, SELL_THROUGH_DAYS, store_ids).items()
        if t.units_sold_received is not None
    }
    # On hand at the start = at the close of the day before the window.
    opening = selectors.kpi_units_on_hand(
        date=start - datetime.timedelta(days=1), store_ids=store_ids
    )
    values = {}
    for store_id in store_ids:
        if store_id not in moved and store_id not in opening:
            continue
        sold, received = moved.get(store_id, (ZERO, ZERO))
        values[store_id] = (q(sold), q(opening.get(store_id, ZERO) + received))
    return values


register(
    Kpi(
        code="inventory_turnover_30d",
        name=_("Inventory turnover (30 days)"),
        name_zh="库存周转率（30天）",
        unit="ratio",
        higher_is_better=True,
        numerator=_("cost of goods sold, last 30 days"),
        denominator=_("average inventory value at cost, last 30 days"),
        compute=_turnover,
        extras=_days_on_hand,
    )
)
register(
    Kpi(
        code="order_cycle_time_h",
        name=_("Order cycle time (hours)"),
        name_zh="采购订单周期（小时）",
        unit="h",
        higher_is_better=False,
        numerator=_("hours from submission to full receipt"),
        denominator=_("purchase orders received in full"),
        compute=_order_cycle,
        extras=_order_cycle_p90,
    )
)
register(
    Kpi(
        code="transfer_cycle_time_h",
        name=_("Transfer cycle time (hours)"),
        name_zh="调拨周期（小时）",
        unit="h",
        higher_is_better=False,
        numerator=_("hours from approval to receipt"),
        denominator=_("transfers received"),
        compute=_transfer_cycle,
        extras=_transfer_cycle_p90,
    )
)
register(
    Kpi(
        code="stockout_rate",
        name=_("Stockout rate"),
        name_zh="缺货率",
        unit="%",
        higher_is_better=False,
        numerator=_("active SKUs with nothing on hand at close"),
        denominator=_("active SKUs (sold in the last 28 days)"),
        compute=_stockout,
        scale=Decimal(100),
    )
)
register(
    Kpi(
        code="shrinkage_rate",
        name=_("Shrinkage rate"),
        name_zh="损耗率",
        unit="%",
        higher_is_better=False,
        numerator=_("negative count adjustments and write-offs at cost, last 30 days"),
        denominator=_("net sales, last 30 days"),
        compute=_shrinkage,
        scale=Decimal(100),
    )
)
register(
    Kpi(
        code="sell_through_30d",
        name=_("Sell-through (30 days)"),
        name_zh="售罄率（30天）",
        unit="%",
        higher_is_better=True,
        numerator=_("units sold, last 30 days"),
        denominator=_("units on hand at the start plus units received"),
        compute=_sell_through,
        scale=Decimal(100),
    )
)
