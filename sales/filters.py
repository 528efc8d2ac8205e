"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.filters import StrictBooleanFilter
from stores.models import Region, Store

from .models import DailySales, ImportBatch, MonthTarget, Promotion, Receipt, StoreTarget


def _visible_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user)


def _visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


def _store_filter():
    # Out-of-scope and unknown stores are refused alike (the API answers 404).
    return django_filters.ModelChoiceFilter(
        queryset=_visible_stores, label=_("Store"), help_text=_("Store id.")
    )


class ReceiptFilterSet(django_filters.FilterSet):
    store = _store_filter()
    business_date = django_filters.DateFilter(label=_("Business date"))
    date_from = django_filters.DateFilter(
        field_name="business_date", lookup_expr="gte", label=_("From")
    )
    date_to = django_filters.DateFilter(
        field_name="business_date", lookup_expr="lte", label=_("To")
    )
    receipt_number = django_filters.CharFilter(lookup_expr="icontains", label=_("Receipt number"))

    class Meta:
        model = Receipt
        fields = ["store", "business_date", "date_from", "date_to", "receipt_number"]


class DailySalesFilterSet(django_filters.FilterSet):
    store = _store_filter()
    region = django_filters.ModelChoiceFilter(
        field_name="store__region", queryset=_visible_regions, label=_("Region")
    )
    date_from = django_filters.DateFilter(
        field_name="business_date", lookup_expr="gte", label=_("From")
    )
    date_to = django_filters.DateFilter(
        field_name="business_date", lookup_expr="lte", label=_("To")
    )

    class Meta:
        model = DailySales
        fields = ["store", "region", "date_from", "date_to"]


class MonthTargetFilterSet(django_filters.FilterSet):
    month = django_filters.DateFilter(label=_("Month (its first day)"))

    class Meta:
        model = MonthTarget
        fields = ["month", "locked"]
        # "yes" or "2" is refused (400), not ignored.
        filter_overrides = {models.BooleanField: {"filter_class": StrictBooleanFilter}}


class StoreTargetFilterSet(django_filters.FilterSet):
    store = _store_filter()
    region = django_filters.ModelChoiceFilter(
        field_name="store__region", queryset=_visible_regions, label=_("Region")
    )
    month = django_filters.DateFilter(field_name="month_target__month", label=_("Month"))

    class Meta:
        model = StoreTarget
        fields = ["store", "region", "month"]


class AttainmentFilterSet(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(queryset=_visible_regions, label=_("Region"))

    class Meta:
        model = Store
        fields = ["region"]


class PromotionFilterSet(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Active on"))

    class Meta:
        model = Promotion
        fields = ["active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, end_date__gte=value)


class ImportBatchFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ImportBatch.Status.choices, label=_("Status"))

    class Meta:
        model = ImportBatch
        fields = ["status"]
