"""Reads of the fact table, scoped to the user. Every roll-up is a ratio of sums."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Max, QuerySet, Sum

from . import registry
from .models import KpiFact, KpiStoreDay

GROUPS = {"store": "store_id", "region": "store__region_id", "chain": None}


def kpi_fact_list(*, user) -> QuerySet[KpiFact]:
    return KpiFact.objects.visible_to(user).select_related("store", "store__region")


def kpi_rollup(
    *,
    user,
    code: str,
    start: datetime.date,
    end: datetime.date,
    group: str = "store",
    store_ids: list[int] | None = None,
) -> list[dict]:
    """Sum of numerators ÷ sum of denominators per store, region or for the chain, over
    ``start``..``end`` (a day, a week, a month), over the stores the user may see."""
    kpi = registry.get(code)
    facts = KpiFact.objects.visible_to(user).filter(code=code, business_date__range=(start, end))
    if store_ids is not None:
        facts = facts.filter(store_id__in=store_ids)
    key = GROUPS[group]
    grouped = facts.values(key) if key else facts.values()
    rows = grouped.annotate(n=Sum("numerator"), d=Sum("denominator")).order_by(
        *([key] if key else [])
    )
    if not key:
        totals = facts.aggregate(n=Sum("numerator"), d=Sum("denominator"))
        rows = [totals] if totals["d"] is not None else []
    result = []
    for row in rows:
        numerator = row["n"] or Decimal(0)
        denominator = row["d"] or Decimal(0)
        result.append(
            {
                "key": row.get(key) if key else "chain",
                "numerator": numerator,
                "denominator": denominator,
                "value": kpi.value(numerator, denominator),
            }
        )
    return result


def kpi_data_as_of(*, user, store_ids: list[int] | None = None):
    """When the newest KPI data the user can see was computed."""
    days = KpiStoreDay.objects.visible_to(user)
    if store_ids is not None:
        days = days.filter(store_id__in=store_ids)
    return days.aggregate(at=Max("computed_at"))["at"]
