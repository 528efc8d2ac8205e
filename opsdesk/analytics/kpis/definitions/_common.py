"""Small helpers shared by the KPI definitions."""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from sales import selectors as sales_selectors

from ..models import KpiFact
from ..registry import shared

PLACES = Decimal("0.000001")  # the fact table keeps 6 decimal places
ZERO = Decimal(0)


def q(value) -> Decimal:
    """A numerator or denominator as the fact table stores it."""
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def window_start(business_date: datetime.date, days: int) -> datetime.date:
    """The first date of the ``days`` days ending on ``business_date`` (included)."""
    return business_date - datetime.timedelta(days=days - 1)


def percentile(sorted_values: list[Decimal], share: Decimal) -> Decimal | None:
    """Linear interpolation between the closest ranks (as PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    low = math.floor(position)
    high = math.ceil(position)
    fraction = position - low
    value = sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fact_sums(
    code: str, store_ids: list[int], start: datetime.date, end: datetime.date
) -> tuple[Decimal, Decimal]:
    """Σ numerators and Σ denominators of one KPI's facts over stores × dates. One query."""
    sums = KpiFact.objects.filter(
        code=code, store_id__in=store_ids, business_date__gte=start, business_date__lte=end
    ).aggregate(n=Sum("numerator"), d=Sum("denominator"))
    return sums["n"] or ZERO, sums["d"] or ZERO


def day_sales(business_date: datetime.date, store_ids: list[int]) -> dict:
    """Every store's sales figures of the date (``sales.selectors.SalesKpiInputs``: net
    sales, transactions, units), read once per run and shared by every KPI that needs
    them (ATV, UPT, complaints per 1,000 transactions, the labor KPIs)."""
    return shared(
        ("sales.inputs", business_date, tuple(store_ids)),
        lambda: sales_selectors.kpi_sales_inputs(date=business_date, store_ids=store_ids),
    )
