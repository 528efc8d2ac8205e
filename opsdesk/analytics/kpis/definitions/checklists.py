"""Checklist and inspection KPIs, read through the checklist selectors."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from stores.checklists import selectors

from ..registry import Kpi, register


def _only(values: dict, store_ids: list[int]) -> dict:
    wanted = set(store_ids)
    return {s: (Decimal(n), Decimal(d)) for s, (n, d) in values.items() if s in wanted}


def _compliance(business_date, store_ids):
    return _only(selectors.kpi_checklist_compliance(business_date=business_date), store_ids)


def _audit_score(business_date, store_ids):
    return _only(selectors.kpi_audit_score(business_date=business_date), store_ids)


def _overdue(business_date, store_ids):
    values = _only(selectors.kpi_corrective_actions_overdue(business_date=business_date), store_ids)
    # Every trading store has a value: none overdue is 0 of 1 store-day, not "no data".
    return {s: values.get(s, (Decimal(0), Decimal(1))) for s in store_ids}


register(
    Kpi(
        code="checklist_compliance",
        name=_("Checklist compliance"),
        name_zh="检查清单按时完成率",
        unit="%",
        higher_is_better=True,
        numerator=_("runs completed on time"),
        denominator=_("runs due"),
        compute=_compliance,
        scale=Decimal(100),
    )
)
register(
    Kpi(
        code="audit_score",
        name=_("Audit score"),
        name_zh="巡店得分",
        unit="%",
        higher_is_better=True,
        numerator=_("sum of inspection scores (%)"),
        denominator=_("inspections"),
        compute=_audit_score,
    )
)
register(
    Kpi(
        code="corrective_actions_overdue",
        name=_("Corrective actions overdue"),
        name_zh="逾期整改项",
        unit="count",
        higher_is_better=False,
        numerator=_("open corrective actions past due at close"),
        denominator=_("store-days"),
        compute=_overdue,
    )
)
