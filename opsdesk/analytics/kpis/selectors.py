"""Reads of the fact table, scoped to the user: the stores they may see and the KPIs they
may read (``registry.kpis_for``). Every roll-up is a ratio of sums."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Max, QuerySet, Sum

from . import registry
from .models import KpiFact, KpiRun, KpiStoreDay, KpiThreshold
from .thresholds import Band

GROUPS = {"store": "store_id", "region": "store__region_id", "chain": None}


def _facts(user) -> QuerySet[KpiFact]:
    """The facts of the stores and the KPIs ``user`` may read."""
    return KpiFact.objects.visible_to(user).filter(code__in=sorted(registry.kpi_codes_for(user)))


def kpi_fact_list(*, user) -> QuerySet[KpiFact]:
    return _facts(user).select_related("store", "store__region")


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
    ``start``..``end`` (a day, a week, a month), over the stores the user may see. A KPI
    the user may not read raises ``KeyError``, like an unknown one."""
    kpi = registry.get_for(user, code)
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


_STATE_SQL = """
SELECT r.n, r.last_id, r.last_at, t.code, t.green, t.amber
FROM (
    SELECT COUNT(*) AS n, MAX(id) AS last_id, MAX(finished_at) AS last_at
    FROM {runs} WHERE status = %s
) r
LEFT JOIN {thresholds} t ON 1 = 1
ORDER BY t.code
"""


def kpi_data_state() -> tuple[str, dict[str, Band]]:
    """What a dashboard reads on every request to key its cache, in one small query:

    - a version of the KPI figures: every write of facts (and of "data as of") happens
      in a KPI run's transaction, which also marks that run succeeded, so the count and
      the newest of the succeeded runs change when, and only when, a run's figures become
      visible (the run log has a few rows a day);
    - every KPI's bands, as :func:`thresholds.bands` gives them."""
    sql = _STATE_SQL.format(
        runs=connection.ops.quote_name(KpiRun._meta.db_table),
        thresholds=connection.ops.quote_name(KpiThreshold._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [KpiRun.Status.SUCCEEDED.value])
        rows = cursor.fetchall()
    count, last_id, last_at = rows[0][:3]
    if isinstance(last_at, datetime.datetime):
        last_at = last_at.isoformat()
    bands = {
        code: Band(green=Decimal(str(green)), amber=Decimal(str(amber)))
        for _n, _l, _a, code, green, amber in rows
        if code is not None
    }
    return f"{count}.{last_id or 0}.{last_at or ''}", bands


def kpi_data_version() -> str:
    """The version of the KPI figures of :func:`kpi_data_state`."""
    return kpi_data_state()[0]


def _facts_in(*, user, codes, start, end, store_ids):
    facts = KpiFact.objects.visible_to(user).filter(
        code__in=list(codes), business_date__range=(start, end)
    )
    if store_ids is not None:
        facts = facts.filter(store_id__in=list(store_ids))
    return facts


def _row(kpi: registry.Kpi, key, numerator, denominator) -> dict:
    numerator = numerator or Decimal(0)
    denominator = denominator or Decimal(0)
    return {
        "key": key,
        "numerator": numerator,
        "denominator": denominator,
        "value": kpi.value(numerator, denominator),
    }


def kpi_table(
    *,
    user,
    start: datetime.date,
    end: datetime.date,
    group: str = "store",
    codes: list[str] | None = None,
    store_ids: list[int] | None = None,
) -> dict[str, dict]:
    """Every KPI the user may read (of ``codes``) rolled up like :func:`kpi_rollup` — Σ numerators
    ÷ Σ denominators per store, region or for the chain — in one query for all of them:
    ``{code: {key: row}}`` with the rows of ``kpi_rollup`` (key "chain" for the chain)."""
    kpis = registry.kpis_for(user, codes)
    result: dict[str, dict] = {kpi.code: {} for kpi in kpis}
    if not kpis:
        return result
    key = GROUPS[group]
    fields = ["code", key] if key else ["code"]
    facts = _facts_in(user=user, codes=result, start=start, end=end, store_ids=store_ids)
    rows = (
        facts.values(*fields).annotate(n=Sum("numerator"), d=Sum("denominator")).order_by(*fields)
    )
    for row in rows:
        kpi = registry.get(row["code"])
        group_key = row[key] if key else "chain"
        result[kpi.code][group_key] = _row(kpi, group_key, row["n"], row["d"])
    return result


def kpi_daily(
    *,
    user,
    start: datetime.date,
    end: datetime.date,
    codes: list[str] | None = None,
    store_ids: list[int] | None = None,
) -> dict[str, dict[datetime.date, dict]]:
    """Each KPI's value per business date over the stores (ratio of sums of that day), for
    trend charts: ``{code: {date: row}}``, one query for all KPIs."""
    kpis = registry.kpis_for(user, codes)
    result: dict[str, dict] = {kpi.code: {} for kpi in kpis}
    if not kpis:
        return result
    facts = _facts_in(user=user, codes=result, start=start, end=end, store_ids=store_ids)
    rows = (
        facts.values("code", "business_date")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
        .order_by("code", "business_date")
    )
    for row in rows:
        kpi = registry.get(row["code"])
        day = row["business_date"]
        result[kpi.code][day] = _row(kpi, day, row["n"], row["d"])
    return result
