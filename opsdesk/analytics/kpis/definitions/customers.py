"""Complaint KPIs, read through ``customers.selectors`` (transactions through
``sales.selectors``). Feedback (compliments, suggestions) never counts as a complaint.

Every figure is one store-local business date, in one or two queries for all the stores;
see docs/kpis.md for the definitions and their edge cases.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers import selectors

from ..registry import Kpi, Values, register
from ._common import day_sales, q


def _transactions(business_date: datetime.date, store_ids: list[int]) -> dict[int, int]:
    # The same read as ATV and UPT: one per run.
    return {s: i.transactions for s, i in day_sales(business_date, store_ids).items()}


def _per_1k(business_date: datetime.date, store_ids: list[int]) -> Values:
    """(complaints received that date, transactions that date); a store with neither has
    no row, one with complaints and no transactions a row without a value."""
    received = selectors.kpi_complaints_received(
        start=business_date, end=business_date, store_ids=store_ids
    )
    transactions = _transactions(business_date, store_ids)
    values = {}
    for store_id in store_ids:
        complaints, count = received.get(store_id, 0), transactions.get(store_id, 0)
        if complaints or count:
            values[store_id] = (q(complaints), q(count))
    return values


def _first_response(business_date: datetime.date, store_ids: list[int]) -> Values:
    hours = selectors.kpi_first_response_hours(
        start=business_date, end=business_date, store_ids=store_ids
    )
    return {s: (q(total), q(count)) for s, (total, count) in hours.items()}


def _resolution(business_date: datetime.date, store_ids: list[int]) -> Values:
    hours = selectors.kpi_resolution_hours(
        start=business_date, end=business_date, store_ids=store_ids
    )
    return {s: (q(total), q(count)) for s, (total, count) in hours.items()}


def _breach_rate(business_date: datetime.date, store_ids: list[int]) -> Values:
    outcomes = selectors.kpi_sla_outcomes(
        start=business_date, end=business_date, store_ids=store_ids, as_of=timezone.now()
    )
    return {s: (q(breached), q(due)) for s, (breached, due) in outcomes.items()}


register(
    Kpi(
        code="complaints_per_1k_txn",
        name=_("Complaints per 1,000 transactions"),
        name_zh="每千笔交易投诉数",
        unit="per 1k",
        higher_is_better=False,
        numerator=_("complaints received"),
        denominator=_("transactions"),
        compute=_per_1k,
        scale=Decimal(1000),
    )
)
register(
    Kpi(
        code="complaint_first_response_h",
        name=_("Complaint first response (hours)"),
        name_zh="投诉首次响应时长（小时）",
        unit="h",
        higher_is_better=False,
        numerator=_("hours from intake to first response"),
        denominator=_("complaints first responded to"),
        compute=_first_response,
    )
)
register(
    Kpi(
        code="complaint_resolution_h",
        name=_("Complaint resolution (hours)"),
        name_zh="投诉解决时长（小时）",
        unit="h",
        higher_is_better=False,
        numerator=_("hours from intake to first resolution"),
        denominator=_("complaints resolved for the first time"),
        compute=_resolution,
    )
)
register(
    Kpi(
        code="complaint_sla_breach_rate",
        name=_("Complaint SLA breach rate"),
        name_zh="投诉超时率",
        unit="%",
        higher_is_better=False,
        numerator=_("complaints due that breached an SLA"),
        denominator=_("complaints whose resolution was due"),
        compute=_breach_rate,
        scale=Decimal(100),
    )
)
