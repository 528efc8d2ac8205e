"""One FilterSet per list, shared by the pages and the API. Choice filters only offer
objects in the user's scope, so an out-of-scope id is refused like an unknown one."""

import re

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from opsdesk.platform.filters import StrictBooleanFilter
from stores.models import Store

from .models import (
    Category,
    MovementKind,
    Product,
    PurchaseOrder,
    ReorderRule,
    StockCount,
    StockLevel,
    StockMovement,
    Supplier,
    Transfer,
)


def _visible_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user)


def _categories(request):
    if request is None:
        return Category.objects.none()
    return Category.objects.visible_to(request.user)


def _store_filter():
    return django_filters.ModelChoiceFilter(
        queryset=_visible_stores, label=_("Store"), help_text=_("Store id.")
    )


def _category_filter(field_name="category"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=_categories,
        label=_("Category"),
        help_text=_("Category id."),
    )


def search_product(queryset, name, value, prefix=""):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}sku__icontains": value})
        | Q(**{f"{prefix}barcode": value})
        | Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}name_zh__icontains": value})
    )


class ProductFilterSet(django_filters.FilterSet):
    category = _category_filter()
    active = StrictBooleanFilter(label=_("Active"))
    search = django_filters.CharFilter(
        method=search_product, label=_("Search"), help_text=_("SKU, barcode or part of the name.")
    )

    class Meta:
        model = Product
        fields = ["category", "active", "search"]


class SupplierFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Supplier
        fields = ["search", "active"]
        # "yes" or "2" is refused (400), not ignored.
        filter_overrides = {models.BooleanField: {"filter_class": StrictBooleanFilter}}

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class StockLevelFilterSet(django_filters.FilterSet):
    store = _store_filter()
    category = _category_filter("product__category")
    low_stock = StrictBooleanFilter(
        method="filter_low_stock",
        label=_("Low stock"),
        help_text=_("At or below the reorder point (or nothing on hand)."),
    )
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=_("SKU, barcode or part of the name.")
    )

    class Meta:
        model = StockLevel
        fields = ["store", "category", "low_stock", "search"]

    def filter_search(self, queryset, name, value):
        return search_product(queryset, name, value, prefix="product__")

    def filter_low_stock(self, queryset, name, value):
        if value is None:
            return queryset
        below_point = Exists(
            ReorderRule.objects.filter(
                store=OuterRef("store"),
                product=OuterRef("product"),
                reorder_point__gte=OuterRef("on_hand"),
            )
        )
        low = Q(on_hand__lte=0) | Q(below_point)
        return queryset.filter(low) if value else queryset.exclude(low)


class _WholeNumberField(forms.IntegerField):
    """Digits only: Django's IntegerField also takes "1.0" and "١"."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not re.fullmatch(r"-?[0-9]{1,18}", str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


@extend_schema_field({"type": "integer", "minimum": -(10**18) + 1, "maximum": 10**18 - 1})
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number (no select of every product on the page)."""

    field_class = _WholeNumberField


class StockMovementFilterSet(django_filters.FilterSet):
    store = _store_filter()
    product = IdFilter(field_name="product_id", label=_("Product"))
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices, label=_("Kind"))
    date_from = django_filters.DateFilter(
        field_name="business_date", lookup_expr="gte", label=_("From")
    )
    date_to = django_filters.DateFilter(
        field_name="business_date", lookup_expr="lte", label=_("To")
    )

    class Meta:
        model = StockMovement
        fields = ["store", "product", "kind", "date_from", "date_to"]


class PurchaseOrderFilterSet(django_filters.FilterSet):
    store = _store_filter()
    status = django_filters.ChoiceFilter(choices=PurchaseOrder.Status.choices, label=_("Status"))

    class Meta:
        model = PurchaseOrder
        fields = ["store", "status"]


class TransferFilterSet(django_filters.FilterSet):
    store = django_filters.ModelChoiceFilter(
        queryset=_visible_stores,
        method="filter_store",
        label=_("Store"),
        help_text=_("Store id: transfers from or to it."),
    )
    status = django_filters.ChoiceFilter(choices=Transfer.Status.choices, label=_("Status"))

    class Meta:
        model = Transfer
        fields = ["store", "status"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_store(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(source_store=value) | Q(destination_store=value))


class StockCountFilterSet(django_filters.FilterSet):
    store = _store_filter()
    status = django_filters.ChoiceFilter(choices=StockCount.Status.choices, label=_("Status"))

    class Meta:
        model = StockCount
        fields = ["store", "status"]
