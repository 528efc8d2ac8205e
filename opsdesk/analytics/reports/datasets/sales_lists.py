"""The exports of the sales lists and the attainment page."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from sales import filters as sales_filters
from sales import selectors as sales_selectors

from .base import (
    BOOL,
    CHOICES,
    CHUNK_SIZE,
    DATE,
    DATETIME,
    NUMBER,
    Column,
    Dataset,
    ExportError,
    Prepared,
    register,
)
from .querysets import queryset_dataset

register(
    queryset_dataset(
        "daily_sales",
        _("Daily sales"),
        selector=sales_selectors.daily_sales_list,
        filterset=sales_filters.DailySalesFilterSet,
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__region__code", Column(_("Region"))),
            ("store__code", Column(_("Store"))),
            ("net_sales", Column(_("Net sales"), NUMBER)),
            ("transactions", Column(_("Transactions"), NUMBER)),
            ("units", Column(_("Units"), NUMBER)),
            ("returns_value", Column(_("Returns"), NUMBER)),
            ("footfall", Column(_("Footfall"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "receipts",
        _("Receipts"),
        selector=sales_selectors.receipt_list,
        filterset=sales_filters.ReceiptFilterSet,
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__code", Column(_("Store"))),
            ("receipt_number", Column(_("Receipt number"))),
            ("sold_at", Column(_("Sold at"), DATETIME)),
            ("till", Column(_("Till"))),
            ("cashier", Column(_("Cashier"))),
            ("source", Column(_("Channel"), convert=CHOICES)),
            ("line_count", Column(_("Lines"), NUMBER)),
            ("total", Column(_("Total"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "store_targets",
        _("Store targets"),
        selector=sales_selectors.store_target_list,
        filterset=sales_filters.StoreTargetFilterSet,
        list_route="sales:targets",
        fields=[
            ("month_target__month", Column(_("Month"), DATE)),
            ("store__region__code", Column(_("Region"))),
            ("store__code", Column(_("Store"))),
            ("amount", Column(_("Target"), NUMBER)),
            ("month_target__locked", Column(_("Locked"), BOOL)),
        ],
    )
)

register(
    queryset_dataset(
        "promotions",
        _("Promotions"),
        selector=sales_selectors.promotion_list,
        filterset=sales_filters.PromotionFilterSet,
        fields=[
            ("name", Column(_("Name"))),
            ("start_date", Column(_("Starts"), DATE)),
            ("end_date", Column(_("Ends"), DATE)),
            ("discount_pct", Column(_("Discount %"), NUMBER)),
        ],
    )
)


def _attainment(dataset: Dataset, user, query: QueryDict) -> Prepared:
    """The attainment page (sales:attainment): stores with MTD sales against target."""
    from django.utils import timezone

    raw = query.get("date", "")
    try:
        date = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise ExportError(_("Date: enter a date as YYYY-MM-DD.")) from None
    filterset = sales_filters.AttainmentFilterSet(query, request=SimpleNamespace(user=user))
    if not filterset.is_valid():
        raise ExportError([f"{k}: {e}" for k, errors in filterset.errors.items() for e in errors])
    region = filterset.form.cleaned_data.get("region")
    stores = sales_selectors.attainment_list(user=user, date=date)
    if region is not None:
        stores = stores.filter(region=region)

    def rows():
        for store in stores.iterator(chunk_size=CHUNK_SIZE):
            figures = sales_selectors.store_attainment(store, date)
            yield (
                date,
                store.region.code,
                store.code,
                store.name,
                figures.mtd_sales,
                figures.mtd_target,
                figures.attainment,
                figures.month_target,
                figures.projection,
                figures.pacing,
            )

    return Prepared(dataset, stores.count, rows)


register(
    Dataset(
        name="attainment",
        title=_("Sales attainment"),
        list_route="sales:attainment",
        columns=(
            Column(_("Date"), DATE),
            Column(_("Region")),
            Column(_("Store")),
            Column(_("Name")),
            Column(_("MTD net sales"), NUMBER),
            Column(_("MTD target"), NUMBER),
            Column(_("Attainment"), NUMBER),
            Column(_("Month target"), NUMBER),
            Column(_("Projection"), NUMBER),
            Column(_("Pacing"), NUMBER),
        ),
        prepare_fn=_attainment,
    )
)
