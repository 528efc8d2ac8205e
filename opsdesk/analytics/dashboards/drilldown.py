"""From a KPI value to the records behind it: the existing (scoped) list pages, filtered
to the store and, where the page has a date filter, the period.

A KPI with no list page of its own (or one registered later, e.g. by a test) still
drills down to its facts (``dashboards:store_kpi``: the numerator and denominator of
each day); this module adds the domain page when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsdesk.analytics.kpis.periods import Period
from stores.models import Store


def _url(name: str, params: dict, *args) -> str:
    return f"{reverse(name, args=args)}?{urlencode(params)}"


def _orders(store, period):
    return _("Received purchase orders"), _url(
        "inventory:purchaseorder_list", {"store": store.pk, "status": "received"}
    )


def _transfers(store, period):
    return _("Received transfers"), _url(
        "inventory:transfer_list", {"store": store.pk, "status": "received"}
    )


def _stock(store, period):
    return _("Stock levels"), _url("inventory:stocklevel_list", {"store": store.pk})


def _low_stock(store, period):
    return _("Low stock"), _url(
        "inventory:stocklevel_list", {"store": store.pk, "low_stock": "true"}
    )


def _counts(store, period):
    return _("Stock counts"), _url("inventory:stockcount_list", {"store": store.pk})


def _sales_day(store, period):
    return _("Daily sales and receipts"), _url(
        "sales:store_day", {"date": period.end.isoformat()}, store.pk
    )


def _overdue_actions(store, period):
    return _("Overdue corrective actions"), _url(
        "checklists:action_list", {"store": store.pk, "overdue": "true"}
    )


def _actions(store, period):
    return _("Corrective actions"), _url("checklists:action_list", {"store": store.pk})


def _complaints(store, period, **extra):
    # The complaints received in the period (the hours KPIs count them by the date of
    # their response or resolution, the breach rate by the date the resolution was due).
    return _("Complaints received in the period"), _url(
        "customers:complaint_list",
        {
            "store": store.pk,
            "kind": "complaint",
            "received_after": period.start.isoformat(),
            "received_before": period.end.isoformat(),
            **extra,
        },
    )


def _shifts(store, period):
    return _("Published shifts"), _url(
        "staff:shift_list",
        {
            "store": store.pk,
            "status": "published",
            "date_from": period.start.isoformat(),
            "date_to": period.end.isoformat(),
        },
    )


def _breached_complaints(store, period):
    return _("Complaints that breached an SLA"), _complaints(store, period, breached="true")[1]


def _training(store, period):
    return _("Training assignments due"), _url(
        "staff:assignment_list",
        {
            "store": store.pk,
            "due_from": period.start.isoformat(),
            "due_to": period.end.isoformat(),
        },
    )


RECORDS: dict[str, Callable[[Store, Period], tuple]] = {
    "order_cycle_time_h": _orders,
    "transfer_cycle_time_h": _transfers,
    "inventory_turnover_30d": _stock,
    "sell_through_30d": _stock,
    "stockout_rate": _low_stock,
    "shrinkage_rate": _counts,
    "sales_attainment_mtd": _sales_day,
    "atv": _sales_day,
    "upt": _sales_day,
    "corrective_actions_overdue": _overdue_actions,
    "checklist_compliance": _actions,
    "audit_score": _actions,
    "complaints_per_1k_txn": _complaints,
    "complaint_first_response_h": _complaints,
    "complaint_resolution_h": _complaints,
    "complaint_sla_breach_rate": _breached_complaints,
    "sales_per_labor_hour": _shifts,
    "labor_cost_pct": _shifts,
    "training_completion_rate": _training,
}


def records_link(code: str, store: Store, period: Period) -> tuple[str, str] | None:
    """(label, url) of the list page behind a store's KPI value, or None."""
    build = RECORDS.get(code)
    return build(store, period) if build else None


def kpi_link(code: str, store: Store, period: Period) -> str:
    """The store's KPI detail page (its daily facts) for the period."""
    return _url("dashboards:store_kpi", period.params(), store.pk, code)
