"""The ``kpi_table`` export: stores (or regions, or the chain) × every KPI the user may read
(``registry.kpis_for``) over a period, each value a ratio of sums from
``opsdesk.analytics.kpis.selectors.kpi_rollup``.

Parameters (the contract the dashboards link with):

- ``period``: ``7d`` / ``30d`` (ending yesterday, the last closed business date), ``mtd``
  (the month of yesterday, to yesterday), ``month`` with ``month=YYYY-MM``; or no period
  and ``start`` / ``end`` ISO dates (both required, at most 366 days).
- ``region``, ``store``: by code, within the user's scope (unknown and out of scope are
  refused alike).
- ``group``: ``store`` (default), ``region`` or ``chain``.
"""

from __future__ import annotations

import calendar
import datetime

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis import thresholds as kpi_thresholds
from opsdesk.analytics.kpis.selectors import kpi_rollup
from stores.models import Region, Store

from .base import DATE, NUMBER, Column, Dataset, ExportError, Prepared

PERIODS = ("7d", "30d", "mtd", "month")
GROUPS = ("store", "region", "chain")
MAX_DAYS = 366


class KpiTableForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=[(p, p) for p in PERIODS], required=False)
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("Enter the month as YYYY-MM.")},
    )
    start = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"])
    region = forms.CharField(label=_("Region"), required=False)
    store = forms.CharField(label=_("Store"), required=False)
    group = forms.ChoiceField(label=_("Group by"), choices=[(g, g) for g in GROUPS], required=False)

    def __init__(self, *args, user, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today or timezone.localdate()

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        if not code:
            return None
        region = Region.objects.visible_to(self.user).filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("No such region."))
        return region

    def clean_store(self):
        code = self.cleaned_data["store"].strip()
        if not code:
            return None
        store = Store.objects.visible_to(self.user).filter(code=code).first()
        if store is None:
            raise forms.ValidationError(_("No such store."))
        return store

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = period_range(
            data.get("period") or "",
            data.get("month") or "",
            data.get("start"),
            data.get("end"),
            today=self.today,
        )
        data["start"], data["end"] = start, end
        data["group"] = data.get("group") or "store"
        region, store = data.get("region"), data.get("store")
        if region and store and store.region_id != region.pk:
            raise forms.ValidationError(_("The store is not in that region."))
        return data


def period_range(period, month, start, end, *, today: datetime.date):
    """(start, end) of a period; raises ``forms.ValidationError`` with a clear message."""
    yesterday = today - datetime.timedelta(days=1)
    if period == "7d":
        return yesterday - datetime.timedelta(days=6), yesterday
    if period == "30d":
        return yesterday - datetime.timedelta(days=29), yesterday
    if period == "mtd":
        return yesterday.replace(day=1), yesterday
    if period == "month":
        if not month:
            raise forms.ValidationError(_("Choose the month (YYYY-MM) of a “month” period."))
        first = datetime.date(int(month[:4]), int(month[5:7]), 1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return first, last
    if start is None or end is None:
        raise forms.ValidationError(
            _("Choose a period (7d, 30d, mtd or month) or both a start and an end date.")
        )
    if end < start:
        raise forms.ValidationError(_("The end date is before the start date."))
    if (end - start).days + 1 > MAX_DAYS:
        raise forms.ValidationError(
            _("A period is at most %(days)s days long.") % {"days": MAX_DAYS}
        )
    return start, end


def clean_params(user, query: QueryDict, today: datetime.date | None = None) -> dict:
    form = KpiTableForm(query, user=user, today=today)
    if not form.is_valid():
        problems = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            problems.extend(f"{label}: {e}" if label else str(e) for e in errors)
        raise ExportError(problems)
    return form.cleaned_data


def kpi_table_rows(user, params: dict) -> list[tuple]:
    """Every place (store, region or the chain) × every KPI the user may read; a KPI with no
    facts for a place has blank cells (no data is not zero). One query per KPI, whatever
    the number of stores, plus the stores and the thresholds."""
    start, end, group = params["start"], params["end"], params["group"]
    region, store = params.get("region"), params.get("store")
    stores = Store.objects.visible_to(user).select_related("region")
    if region is not None:
        stores = stores.filter(region=region)
    if store is not None:
        stores = stores.filter(pk=store.pk)
    store_rows = {s.pk: s for s in stores.order_by("region__code", "code")}
    filtered = region is not None or store is not None
    store_ids = list(store_rows) if filtered else None
    if group == "store":
        places = [(s.pk, (s.region.code, s.code, s.name)) for s in store_rows.values()]
    elif group == "region":
        regions = {s.region_id: s.region for s in store_rows.values()}
        places = [
            (pk, (r.code, "", r.name)) for pk, r in sorted(regions.items(), key=lambda i: i[1].code)
        ]
    else:
        places = [("chain", ("", "", str(_("Chain"))))] if store_rows else []
    bands = kpi_thresholds.bands()  # the one RAG rule of the dashboards and the API
    rows = []
    for kpi in registry.kpis_for(user):
        values = {
            value["key"]: value
            for value in kpi_rollup(
                user=user, code=kpi.code, start=start, end=end, group=group, store_ids=store_ids
            )
        }
        for key, place in places:
            value = values.get(key)
            rows.append(
                (
                    *place,
                    kpi.code,
                    str(kpi.name),
                    kpi.unit,
                    start,
                    end,
                    value["value"] if value else None,
                    value["numerator"] if value else None,
                    value["denominator"] if value else None,
                    (
                        kpi_thresholds.rag(
                            value["value"], bands.get(kpi.code), kpi.higher_is_better
                        )
                        or ""
                    )
                    if value
                    else "",
                )
            )
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    return rows


def _prepare(dataset: Dataset, user, query: QueryDict) -> Prepared:
    params = clean_params(user, query)
    cache: dict = {}

    def rows():
        if "rows" not in cache:
            cache["rows"] = kpi_table_rows(user, params)
        return iter(cache["rows"])

    def count():
        if "rows" not in cache:
            cache["rows"] = kpi_table_rows(user, params)
        return len(cache["rows"])

    return Prepared(dataset, count, rows)


DATASET = Dataset(
    name="kpi_table",
    title=_("KPI table"),
    columns=(
        Column(_("Region")),
        Column(_("Store")),
        Column(_("Name")),
        Column(_("KPI")),
        Column(_("KPI name")),
        Column(_("Unit")),
        Column(_("From"), DATE),
        Column(_("To"), DATE),
        Column(_("Value"), NUMBER),
        Column(_("Numerator"), NUMBER),
        Column(_("Denominator"), NUMBER),
        Column(_("RAG")),
    ),
    prepare_fn=_prepare,
)
